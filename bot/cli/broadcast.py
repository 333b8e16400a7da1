"""`wegwijzer broadcast`: send to groups from files, follow the report, cancel or stop."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.broadcast_texts import report_text
from bot.i18n import set_locale
from bot.runtime import Runtime
from bot.services import organisations
from bot.services.messaging import broadcast_commands
from bot.services.messaging.broadcasts import Draft
from bot.services.organisations import OrganisationRef


def _organisation(runtime: Runtime, slug: str) -> OrganisationRef:
    """The organisation `--org` names; the command ends when there is none."""
    organisation = organisations.by_slug(runtime.db, slug)
    if organisation is None:
        raise SystemExit(f"wegwijzer: no organisation with slug {slug!r}")
    return organisation


def _texts(pairs: list[str]) -> dict[str, str]:
    """The text per language, from `--text-file LANG=PATH`."""
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


def _at(text: str | None, zone: ZoneInfo) -> datetime | None:
    """`--at 'YYYY-MM-DD HH:MM'` in local time; None (now) without it."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        raise SystemExit("wegwijzer: --at wants 'YYYY-MM-DD HH:MM'") from None


def broadcast_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Report (or cancel and report) one message, list the recent ones, or send a new one."""
    settings, db = runtime.settings, runtime.db
    now = runtime.clock.now()
    set_locale(settings.default_language)
    organisation = _organisation(runtime, args.org) if args.org else None
    if organisation is None:  # a message is only ever shown within its organisation
        raise SystemExit("wegwijzer: --org is required")
    if args.report or args.cancel:
        if args.cancel:
            broadcast_commands.cancel_or_stop(db, args.cancel, organisation.id, now)
        shown = broadcast_commands.report(db, args.report or args.cancel, organisation.id)
        print(report_text(shown, settings.zone))
        return 0
    if args.list:
        for shown in broadcast_commands.recent_reports(db, organisation.id, 20):
            print(report_text(shown, settings.zone))
            print()
        return 0
    groups = broadcast_commands.group_ids(db, organisation.id, args.group)
    at = _at(args.at, settings.zone)
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
    print(report_text(broadcast_commands.create(db, draft, now), settings.zone))
    return 0
