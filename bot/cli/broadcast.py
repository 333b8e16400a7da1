"""`wegwijzer broadcast`: send to groups from files, follow the report, cancel or stop."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.broadcast_texts import report_text
from bot.i18n import set_locale
from bot.refusals import refusal
from bot.runtime import Runtime
from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused, Draft
from storage.models import Organisation


def _organisation(session, slug: str | None) -> Organisation:  # noqa: ANN001
    organisation = session.scalars(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise SystemExit(f"wegwijzer: no organisation with slug {slug!r}")
    return organisation


def _texts(pairs: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for pair in pairs:
        language, _, path = pair.partition("=")
        if not path:
            raise SystemExit(f"wegwijzer: --text-file wants LANG=PATH, not {pair!r}")
        try:
            texts[language.strip()] = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SystemExit(f"wegwijzer: cannot read {path}: {exc.strerror}") from None
    return texts


def broadcast_command(runtime: Runtime, args: argparse.Namespace) -> int:
    settings = runtime.settings
    now = runtime.clock.now()
    set_locale(settings.default_language)
    with runtime.session_factory() as session:
        with session.begin():
            organisation = _organisation(session, args.org) if args.org else None
        try:
            if organisation is None:  # a message is only ever shown within its organisation
                raise SystemExit("wegwijzer: --org is required")
            if args.report or args.cancel:
                wanted = args.report or args.cancel
                if args.cancel:
                    broadcasts.cancel_or_stop(session, args.cancel, organisation.id, now)
                print(
                    report_text(broadcasts.report(session, wanted, organisation.id), settings.zone)
                )
                return 0
            if args.list:
                for item in broadcasts.recent(session, organisation.id, 20):
                    print(
                        report_text(
                            broadcasts.report(session, item.id, organisation.id), settings.zone
                        )
                    )
                    print()
                return 0
            with session.begin():
                groups = broadcasts.group_ids_by_name(session, organisation.id, args.group)
            at = None
            if args.at:
                try:
                    at = datetime.strptime(args.at, "%Y-%m-%d %H:%M").replace(tzinfo=settings.zone)
                except ValueError:
                    raise SystemExit("wegwijzer: --at wants 'YYYY-MM-DD HH:MM'") from None
            draft = Draft(
                organisation_id=organisation.id,
                texts=_texts(args.text_file),
                group_ids=groups,
                everyone=args.everyone,
                default_language=args.default_language or organisation.default_language,
                scheduled_for=at,
                with_ack=args.ack,
                insist=args.insist,
            )
            broadcast = broadcasts.create(session, draft, now)
            print(
                report_text(
                    broadcasts.report(session, broadcast.id, organisation.id), settings.zone
                )
            )
            return 0
        except BroadcastRefused as error:
            print(f"wegwijzer: {refusal(error)}", file=sys.stderr)
            return 2
