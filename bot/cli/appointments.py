"""`wegwijzer appointments …`: import a CSV file (a per-row report), add one, list the coming
ones, move or cancel one; and `wegwijzer attendance import`. The operator acts for one
organisation (`--org`); the same services as the chat check that every appointment and
participant belongs to it."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, format_when, ngettext, set_locale
from bot.runtime import Runtime
from bot.services import organisations
from bot.services.appointments import agenda, attendance, imports, scheduling
from bot.services.appointments.reminder_texts import KINDS
from nlu.normalise import ascii_digits


def import_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """`appointments import` and `attendance import`: all rows or none, one line per bad row."""
    settings = runtime.settings
    set_locale(settings.default_language)
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"wegwijzer: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    now = runtime.clock.now()
    report: attendance.ImportReport | scheduling.ImportReport
    if args.command == "attendance":
        report = imports.import_attendance(
            runtime.db, organisation_id, text, now, settings.zone, args.skip_errors
        )
        errors, count = attendance.IMPORT_ERRORS, report.recorded
        done = ngettext("{n} attendance record saved.", "{n} attendance records saved.", count)
    else:
        made = imports.import_appointments(
            runtime.db,
            organisation_id,
            text,
            now,
            settings.zone,
            settings.quiet,
            args.skip_errors,
            history=getattr(args, "history", False),
        )
        report, errors, count = made, scheduling.ROW_ERRORS, made.created
        done = ngettext("{n} appointment imported.", "{n} appointments imported.", count)
    for reason, details in report.errors:
        print(_(errors[reason], **details), file=sys.stderr)
    if report.errors and not args.skip_errors:
        print(
            _("Nothing was imported. Correct the lines above, or use --skip-errors."),
            file=sys.stderr,
        )
        return 2
    print(done)
    return 0


LISTED = {
    True: N_("{id}: {name}, {kind}, {when} (repeats)"),
    False: N_("{id}: {name}, {kind}, {when}"),
}


def _organisation_id(runtime: Runtime, slug: str) -> int | None:
    """The number of the organisation `--org` names; None (and said) when there is none."""
    found = organisations.by_slug(runtime.db, slug)
    if found is None:
        print(f"wegwijzer: no organisation with slug {slug!r}", file=sys.stderr)
        return None
    return found.id


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    """ "2026-11-26 10:00" in local time."""
    try:
        moment = ascii_digits(text.strip())
        return datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        print(_("Write the moment as YYYY-MM-DD HH:MM, not {value}.", value=text), file=sys.stderr)
        return None


def add_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """One appointment from the command line, checked like a CSV row; the participant is told."""
    settings = runtime.settings
    set_locale(settings.default_language)
    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    row = {
        "participant": args.participant,
        "kind": args.kind,
        "date": args.date,
        "start": args.start,
        "end": args.end or "",
        "repeat": args.repeat or "",
        "location": args.location or "",
        "with": getattr(args, "with") or "",
        "notes": args.notes or "",
    }
    now = runtime.clock.now()
    try:
        made = imports.add(runtime.db, organisation_id, row, now, settings.zone, settings.quiet)
    except ValueError as error:
        reason, details = error.args
        print(_(scheduling.ROW_ERRORS[reason], **{**details, "line": 1}), file=sys.stderr)
        return 2
    print(
        _(
            "Appointment {id} saved for {name}: {when}.",
            id=made.id,
            name=made.name,
            when=format_when(made.starts_at, settings.zone),
        )
    )
    return 0


def list_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """The coming four weeks of the organisation (or one participant), soonest first."""
    settings = runtime.settings
    set_locale(settings.default_language)
    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    coming = agenda.coming_weeks(
        runtime.db, organisation_id, args.participant, runtime.clock.now(), settings.zone
    )
    if not coming:
        print(_("No appointments in the coming four weeks."))
        return 0
    for one in coming:
        print(
            _(
                LISTED[one.series],
                id=one.appointment_id,
                when=format_when(one.start, settings.zone),
                name=one.name,
                kind=_(KINDS[one.kind]),
            )
        )
    return 0


def change_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """`move ID --at … --to …` and `cancel ID [--at …]` (without --at: the whole appointment)."""
    settings = runtime.settings
    set_locale(settings.default_language)
    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    at = _moment(args.at, settings.zone) if args.at else None
    if args.at and at is None:
        return 2
    now = runtime.clock.now()
    if args.appointments_command == "move":
        to = _moment(args.to, settings.zone)
        if to is None or at is None:
            return 2
        done = agenda.move(
            runtime.db, organisation_id, args.id, at, to, now, settings.zone, settings.quiet
        )
        print(done.said("move"))
    else:
        done = agenda.cancel(
            runtime.db, organisation_id, args.id, at, now, settings.zone, settings.quiet
        )
        print(done.said("cancel"))
    return 0
