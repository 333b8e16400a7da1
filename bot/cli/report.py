"""`wegwijzer report impact`: the funder's report from the data, as JSON, CSV, HTML or PDF."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.i18n import set_locale
from bot.reporting import formats
from bot.runtime import Runtime
from bot.services.impact.report import Period, impact
from nlu.normalise import ascii_digits

COMMANDS = ("report",)


def add_parsers(commands: Any) -> None:
    """The report command, added to `wegwijzer`'s parser."""
    report = commands.add_parser("report", help="reports computed from the data")
    what = report.add_subparsers(dest="report_command", required=True).add_parser(
        "impact", help="phases, outflow, ZRM progress, reach and contacts of one organisation"
    )
    what.add_argument("--org", required=True, help="organisation slug")
    what.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD)")
    what.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD)")
    what.add_argument("--programme", help="only this programme (its short name)")
    what.add_argument("--format", default="json", choices=["json", "csv", "html", "pdf"])
    what.add_argument("--out", help="write to this file (default: the terminal; PDF needs it)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(ascii_digits(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"write the date as YYYY-MM-DD, not {text}") from None


def run(runtime: Runtime, args: argparse.Namespace) -> int:
    """Compute once, write in the format asked for."""
    set_locale(runtime.settings.default_language)
    if args.format == "pdf" and not args.out:
        print("wegwijzer: a PDF needs --out FILE", file=sys.stderr)
        return 2
    figures = impact(runtime.db, args.org, Period(args.start, args.end), args.programme)
    if args.format == "pdf":
        Path(args.out).write_bytes(formats.as_pdf(figures))
        return 0
    text = {"json": formats.as_json, "csv": formats.as_csv, "html": formats.as_html}[args.format](
        figures
    )
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0
