"""The coach's chart of a participant's check-ins: one small panel per domain, levels 1–5 over
time, the participant's own answers and the coach's scores side by side, as a PNG to send as a
photo. Drawn with matplotlib's Agg backend (no screen needed); imported only when a chart is
asked for, since matplotlib is slow to load."""

from __future__ import annotations

import io
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import N_, _, current_locale, use_locale
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching.progress import Progress

OWN, COACH = N_("Own answer"), N_("Coach's score")
TITLE = N_("Check-ins of {name}: their own answers, not an official ZRM score")
# Scripts matplotlib's bundled font shapes correctly; Arabic and Ge'ez would come out as loose
# or missing glyphs, so a coach who reads those gets the chart in Dutch (the text stays theirs).
CHART_LANGUAGES = ("nl", "en", "so")


def chart_png(progress: Progress, zone: ZoneInfo) -> bytes:
    """The chart as PNG bytes; the caller sends it (after `progress.rows` is non-empty)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FixedLocator

    lang = current_locale() if current_locale() in CHART_LANGUAGES else "nl"
    with use_locale(lang):
        names = {d: _(DOMAIN_NAMES[d]) for d in DOMAIN_NAMES}
        own, coach, title = _(OWN), _(COACH), _(TITLE, name=progress.name)
    domains = [row.domain for row in progress.rows]
    columns = min(3, len(domains))
    lines = math.ceil(len(domains) / columns)
    figure, axes = plt.subplots(
        lines, columns, figsize=(3.2 * columns, 2.2 * lines + 0.6), squeeze=False, sharey=True
    )
    for index, axis in enumerate(axes.flat):
        if index >= len(domains):
            axis.set_visible(False)
            continue
        domain = domains[index]
        for source, style, label in (("self", "o-", own), ("coach", "s--", coach)):
            points = [
                (at, level) for d, s, at, level in progress.history if d == domain and s == source
            ]
            if points:
                axis.plot(
                    [at for at, _level in points],
                    [level for _at, level in points],
                    style,
                    label=label,
                    color="#1f77b4" if source == "self" else "#d62728",
                )
        axis.set_title(names[domain][:1].upper() + names[domain][1:], fontsize=10)
        axis.set_ylim(0.5, 5.5)
        axis.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
        axis.grid(axis="y", alpha=0.3)
        ticks = sorted({at for d, _s, at, _l in progress.history if d == domain})
        if len(ticks) > 3:
            ticks = [ticks[0], ticks[len(ticks) // 2], ticks[-1]]
        axis.set_xticks(ticks)
        axis.set_xticklabels([_day(at, zone, lang) for at in ticks], fontsize=7)
    handles, labels = [], []
    for axis in axes.flat:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc="lower center", ncol=2, fontsize=9)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout(rect=(0, 0.06, 1, 0.95))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def _day(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """Day and month name in words (CLDR), short enough for an axis."""
    return format_date(moment.astimezone(zone).date(), "d MMMM", locale=lang)
