"""One report, four formats. JSON keeps the exact counts (and marks what publishing hides);
CSV (`;`, UTF-8 with a byte-order mark, for Dutch Excel), HTML and PDF show each figure with
its count and base, and a base under 5 as "–"."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.i18n import LANGUAGES, N_, _, language_name
from bot.services import csvfiles
from bot.services.impact.rules import SMALLEST_BASE, published
from bot.services.people.participants import OUTFLOW_NAMES, PHASE_NAMES

TEMPLATES = Path(__file__).parent / "templates"
SECTIONS = {
    "zrm": N_("ZRM progress"),
    "outflow": N_("Outflow"),
    "phases": N_("Phases"),
    "funnel": N_("Funnel"),
    "reach": N_("Reach of broadcasts"),
    "contacts": N_("Contacts"),
}
REACH = {
    "sent": N_("Messages received"),
    "understood": N_("Tapped “understood”"),
    "came_within_a_week": N_("Came within a week"),
}
ANSWERED = N_("Questions answered by a coach")
STEPS = {
    "selected": N_("Selected"),
    "talk": N_("Had a talk"),
    "referred": N_("Referred"),
    "active": N_("Started there"),
    "left_benefit": N_("Left for paid work"),
}
TARGET = N_("{step} (target {target})")
FIGURES = {
    "progress_any": N_("Progress on at least one domain"),
    "selfsufficient_all": N_("Self-sufficient on all domains"),
    "progress": N_("Progress on {domain}"),
    "decline": N_("Decline on {domain}"),
}
LEFT_FOR = N_("Left for: {category}")
PARTICIPATION = N_("Reached participation")
REACHED = N_("Reached phase {phase}")
ZRM_DOMAINS = {
    "financien": N_("Finances"),
    "werk_opleiding": N_("Work and education"),
    "dagbesteding": N_("Daytime activities"),
    "tijdsbesteding": N_("Use of time"),
    "huisvesting": N_("Housing"),
    "huiselijke_relaties": N_("Domestic relations"),
    "geestelijke_gezondheid": N_("Mental health"),
    "lichamelijke_gezondheid": N_("Physical health"),
    "verslaving": N_("Addiction"),
    "middelengebruik": N_("Substance use"),
    "adl": N_("Activities of daily life"),
    "basale_adl": N_("Basic activities of daily life"),
    "instrumentele_adl": N_("Instrumental activities of daily life"),
    "sociaal_netwerk": N_("Social network"),
    "maatschappelijke_participatie": N_("Social participation"),
    "justitie": N_("Justice"),
}
HEADERS = (
    N_("Section"),
    N_("Group"),
    N_("Figure"),
    N_("Count"),
    N_("Base"),
    N_("Percentage"),
)


def rows(report: dict[str, Any]) -> list[tuple[str, str, str, int, int, str]]:
    """(section, group, figure, count, base, shown) for every figure of the report."""
    found: list[tuple[str, str, str, int, int, str]] = []

    def add(section: str, group: str, label: str, count: int, base: int) -> None:
        found.append((_(SECTIONS[section]), group, label, count, base, published(count, base)))

    zrm = report["zrm"]
    for group, figures in [(_("Total"), zrm["total"]), *zrm["by_location"].items()]:
        for name in ("progress_any", "selfsufficient_all"):
            cell = figures[name]
            add("zrm", group or "–", _(FIGURES[name]), cell["count"], cell["base"])
        for name in ("progress", "decline"):
            for domain, cell in figures[name].items():
                label = _(FIGURES[name], domain=_(ZRM_DOMAINS[domain]))
                add("zrm", group or "–", label, cell["count"], cell["base"])
    outflow = report["outflow"]
    for group, column in [(_("Total"), outflow["total"]), *outflow["by_programme"].items()]:
        for category, count in column["counts"].items():
            label = _(LEFT_FOR, category=_(OUTFLOW_NAMES[category]))
            add("outflow", group, label, count, column["n"])
        reached = column["participation"]["count"]
        add("outflow", group, _(PARTICIPATION), reached, column["n"])
    for group, figures in report["phases"]["by_programme"].items():
        for phase, cell in figures["reached"].items():
            label = _(REACHED, phase=_(PHASE_NAMES[phase]))
            add("phases", group, label, cell["count"], figures["started"])
    previous: int | None = None
    for step in report["funnel"]["steps"]:  # each step against the one before it
        name = str(step["step"])
        for branch, cell in step["branches"].items():
            label = _(STEPS[name])
            if cell["target"] is not None:
                label = _(TARGET, step=label, target=cell["target"])
            group = _("Total") if branch == "total" else branch
            add(
                "funnel",
                group,
                label,
                cell["persons"],
                cell["persons"] if previous is None else previous,
            )
        previous = _persons(step["branches"])
    for language, figures in report["reach"].items():
        for name, msgid in REACH.items():
            group = language_name(language) if language in LANGUAGES else language
            add("reach", group, _(msgid), figures[name], figures["sent"])
    contacts = report["contacts"]
    answered = contacts["questions_answered_by_coach"]
    add("contacts", _("Total"), _(ANSWERED), answered, answered)
    return found


def _persons(branches: dict[str, Any]) -> int:
    """A step's persons: its total, or its partners together."""
    if "total" in branches:
        return int(branches["total"]["persons"])
    return sum(int(cell["persons"]) for cell in branches.values())


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def as_csv(report: dict[str, Any]) -> str:
    """Semicolons and a byte-order mark, so Dutch Excel opens it as columns; every text cell
    safe from formulas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csvfiles.SafeWriter(out, [_(h) for h in HEADERS], delimiter=";", lineterminator="\n")
    writer.writeheader()
    for row in rows(report):
        writer.writerow(dict(zip([_(h) for h in HEADERS], row, strict=True)))
    return out.getvalue()


def as_html(report: dict[str, Any]) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    environment.globals["_"] = _
    template = environment.get_template("impact.html")
    return template.render(
        report=report, rows=rows(report), headers=[_(h) for h in HEADERS], smallest=SMALLEST_BASE
    )


def as_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # slow to load: only when a PDF is asked for

    return HTML(string=as_html(report)).write_pdf()
