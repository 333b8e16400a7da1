"""`wegwijzer checkins export`: an organisation's check-in signals as CSV, one row per signal."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta

from bot.cli.appointments import _organisation_id
from bot.runtime import Runtime
from bot.services import csvfiles
from bot.services.coaching import exports, progress


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        print(f"wegwijzer: write the day as YYYY-MM-DD, not {text!r}", file=sys.stderr)
        return None


def export_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Write the signals from --from up to and including --to (local days) to --out or stdout."""
    zone = runtime.settings.zone
    organisation_id = _organisation_id(runtime, args.org)
    first, last = _day(args.start), _day(args.end)
    if organisation_id is None or first is None or last is None:
        return 2
    if last < first:
        print("wegwijzer: --to is before --from", file=sys.stderr)
        return 2
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        writer = csvfiles.SafeWriter(out, progress.EXPORT_COLUMNS)
        writer.writeheader()
        count = exports.export_signals(
            runtime.db,
            organisation_id,
            start,
            end,
            zone,
            args.names,
            runtime.clock.now(),
            writer.writerow,
        )
    finally:
        if args.out:
            out.close()
    print(f"wegwijzer: {count} signals written", file=sys.stderr)
    return 0
