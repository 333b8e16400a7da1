"""`wegwijzer appointments import`: a CSV file in, a per-row report out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

from bot.i18n import _, ngettext, set_locale
from bot.runtime import Runtime
from bot.services import scheduling
from storage.models import Organisation


def import_command(runtime: Runtime, args: argparse.Namespace) -> int:
    settings = runtime.settings
    set_locale(settings.default_language)
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"wegwijzer: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    with runtime.session_factory() as session:
        organisation = session.scalars(
            select(Organisation).where(Organisation.slug == args.org)
        ).first()
        if organisation is None:
            print(f"wegwijzer: no organisation with slug {args.org!r}", file=sys.stderr)
            return 2
        organisation_id = organisation.id
        session.rollback()
        report = scheduling.import_csv(
            session,
            organisation_id,
            text,
            runtime.clock.now(),
            settings.zone,
            settings.quiet,
            args.skip_errors,
        )
    for reason, details in report.errors:
        print(_(scheduling.ROW_ERRORS[reason], **details), file=sys.stderr)
    if report.errors and not args.skip_errors:
        print(
            _("Nothing was imported. Correct the lines above, or use --skip-errors."),
            file=sys.stderr,
        )
        return 2
    print(ngettext("{n} appointment imported.", "{n} appointments imported.", report.created))
    return 0
