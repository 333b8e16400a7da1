"""`wegwijzer zrm import`, `phases import`, `referrals import` and `targets set`: what an
organisation brings along for its impact report. Each calls one use case; a refusal propagates
to `main`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.i18n import _, ngettext, set_locale
from bot.runtime import Runtime
from bot.services.impact import history

COMMANDS = ("zrm", "phases", "referrals", "targets")


def add_parsers(commands: Any) -> None:
    """The history imports, added to `wegwijzer`'s parser."""
    zrm = commands.add_parser("zrm", help="professional ZRM scores")
    zrm_import = zrm.add_subparsers(dest="zrm_command", required=True).add_parser(
        "import",
        help="import ZRM scores from a CSV file (columns: participant, location, measured_on, "
        "domain, score)",
    )
    zrm_import.add_argument("file", help="UTF-8 CSV file, comma or semicolon separated")
    zrm_import.add_argument("--org", required=True, help="organisation slug")
    zrm_import.add_argument("--matrix", required=True, choices=["2013", "2017"])
    zrm_import.add_argument("--skip-errors", action="store_true", help="import the good rows")
    phases = commands.add_parser("phases", help="phase steps with their dates")
    phase_import = phases.add_subparsers(dest="phases_command", required=True).add_parser(
        "import",
        help="import phase steps from a CSV file (columns: participant, programme, phase, since)",
    )
    phase_import.add_argument("file", help="UTF-8 CSV file, comma or semicolon separated")
    phase_import.add_argument("--org", required=True, help="organisation slug")
    phase_import.add_argument("--skip-errors", action="store_true", help="import the good rows")
    referrals = commands.add_parser("referrals", help="referrals to partner organisations")
    referral_import = referrals.add_subparsers(dest="referrals_command", required=True).add_parser(
        "import",
        help="import referrals from a CSV file (columns: participant, partner, referred_on, "
        "started_on)",
    )
    referral_import.add_argument("file", help="UTF-8 CSV file, comma or semicolon separated")
    referral_import.add_argument("--org", required=True, help="organisation slug")
    referral_import.add_argument("--skip-errors", action="store_true", help="import the good rows")
    targets = commands.add_parser("targets", help="what the organisation aims for in a year")
    target = targets.add_subparsers(dest="targets_command", required=True).add_parser(
        "set", help="a target: STEP (selected, talk, referred, active, left_benefit) and VALUE"
    )
    target.add_argument("--org", required=True, help="organisation slug")
    target.add_argument("--year", required=True, type=int)
    target.add_argument("--programme", default="", help="a programme's short name (default: all)")
    target.add_argument("--partner", default="", help="for referred/active: the partner")
    target.add_argument("step", choices=list(history.FUNNEL_STEPS))
    target.add_argument("value", type=int)


def run(runtime: Runtime, args: argparse.Namespace) -> int:
    """One history import: all rows or none, one line per bad row."""
    set_locale(runtime.settings.default_language)
    if args.command == "targets":
        history.set_target(
            runtime.db, args.org, args.year, args.step, args.partner, args.value, args.programme
        )
        print(_("Saved."))
        return 0
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"wegwijzer: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    now = runtime.clock.now()
    if args.command == "zrm":
        report = history.import_zrm(runtime.db, args.org, args.matrix, text, now, args.skip_errors)
        done = ngettext("{n} ZRM score imported.", "{n} ZRM scores imported.", report.created)
    elif args.command == "phases":
        report = history.import_phases(runtime.db, args.org, text, now, args.skip_errors)
        done = ngettext("{n} phase step imported.", "{n} phase steps imported.", report.created)
    else:
        report = history.import_referrals(runtime.db, args.org, text, now, args.skip_errors)
        done = ngettext("{n} referral imported.", "{n} referrals imported.", report.created)
    for reason, details in report.errors:
        print(_(history.ROW_ERRORS[reason], **details), file=sys.stderr)
    if report.errors and not args.skip_errors:
        print(
            _("Nothing was imported. Correct the lines above, or use --skip-errors."),
            file=sys.stderr,
        )
        return 2
    print(done)
    return 0
