"""How an organisation starts, from the command line: `org create`, `org settings`, `org set`,
`staff invite`, `locations add`, `groups add`, `programmes add` and `participants import`.
Each calls one use case; a refusal propagates to `main`, which says it once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.i18n import _, format_day, ngettext, set_locale
from bot.runtime import Runtime
from bot.services import csvfiles
from bot.services.organisations import roster, setup
from bot.services.organisations.roster import PersonalCode
from bot.sheets import qr_sheet


def add_parsers(commands: Any) -> None:
    """The set-up subcommands, added to `wegwijzer`'s parser."""
    org = commands.add_parser("org", help="create an organisation and change its settings")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    create = org_commands.add_parser("create", help="a new organisation")
    create.add_argument("--slug", required=True, help="short name used by every command")
    create.add_argument("--name", required=True, help="name as people read it")
    create.add_argument("--timezone", default="Europe/Amsterdam", help="IANA time zone")
    create.add_argument("--default-language", default="nl", help="nl, ar, ti, so or en")
    show = org_commands.add_parser("settings", help="every setting as it applies now")
    show.add_argument("--org", required=True, help="organisation slug")
    change = org_commands.add_parser(
        "set",
        help="change one setting: timezone ZONE | language LANG | reminders KIND OFFSETS | "
        "alerts RULE NUMBER | checkins KEY VALUE",
    )
    change.add_argument("--org", required=True, help="organisation slug")
    change.add_argument("setting", choices=["timezone", "language", *setup.SETTINGS])
    change.add_argument("values", nargs="+", help="KEY VALUE, or only VALUE")

    staff = commands.add_parser("staff", help="staff members")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    invite = staff_commands.add_parser(
        "invite", help="a staff member and the one-use code that connects their Telegram"
    )
    invite.add_argument("--org", required=True, help="organisation slug")
    invite.add_argument("--name", required=True)
    invite.add_argument("--admin", action="store_true", help="may act on the whole organisation")
    remove = staff_commands.add_parser(
        "remove", help="a staff member leaves: their chat and web sessions stop at once"
    )
    remove.add_argument("--org", required=True, help="organisation slug")
    remove.add_argument("--name", required=True)
    role = staff_commands.add_parser(
        "role", help="make a staff member an admin or a coach (an organisation keeps an admin)"
    )
    role.add_argument("--org", required=True, help="organisation slug")
    role.add_argument("--name", required=True)
    role.add_argument("role", choices=["admin", "coach"])

    locations = commands.add_parser("locations", help="locations")
    location = locations.add_subparsers(dest="locations_command", required=True).add_parser(
        "add", help="a location"
    )
    location.add_argument("--org", required=True, help="organisation slug")
    location.add_argument("--name", required=True)
    location.add_argument("--address", default="")
    location.add_argument(
        "--opening", default="", help='walk-in hours, e.g. "2026-12-01 09:30 weekly:tu,th"'
    )
    location.add_argument("--coach", default="", help="coach of people who sign up here")

    groups = commands.add_parser("groups", help="groups for broadcasts")
    group = groups.add_subparsers(dest="groups_command", required=True).add_parser(
        "add", help="a group: a location's, a phase's, a language's people, or a list (custom)"
    )
    group.add_argument("--org", required=True, help="organisation slug")
    group.add_argument("--name", required=True)
    group.add_argument("--kind", required=True, choices=["location", "phase", "language", "custom"])
    group.add_argument("--location", default="")
    group.add_argument("--phase", default="")
    group.add_argument("--language", default="")

    programmes = commands.add_parser("programmes", help="programmes reported on separately")
    programme = programmes.add_subparsers(dest="programmes_command", required=True).add_parser(
        "add", help="a programme"
    )
    programme.add_argument("--org", required=True, help="organisation slug")
    programme.add_argument("--name", required=True)
    programme.add_argument("--slug", default="", help="short name (default: from the name)")

    people = commands.add_parser("participants", help="participants")
    importer = people.add_subparsers(dest="participants_command", required=True).add_parser(
        "import",
        help="import participants from a CSV file (columns: participant, location, programme, "
        "started_on, left_on, outflow; optional: language, coach, phase, groups, reference)",
    )
    importer.add_argument("file", help="UTF-8 CSV file, comma or semicolon separated")
    importer.add_argument("--org", required=True, help="organisation slug")
    importer.add_argument("--skip-errors", action="store_true", help="import the good rows")
    importer.add_argument(
        "--codes", help="write the personal codes to this CSV file, and a PDF sheet of QR codes"
    )


COMMANDS = ("org", "staff", "locations", "groups", "programmes", "participants")


def run(runtime: Runtime, args: argparse.Namespace) -> int:
    """Carry out one set-up subcommand; texts in the organisation's default language."""
    set_locale(runtime.settings.default_language)
    now = runtime.clock.now()
    db = runtime.db
    if args.command == "org" and args.org_command == "create":
        made = setup.create_organisation(
            db, args.slug, args.name, args.timezone, args.default_language, now
        )
        print(_("Organisation {name} ({slug}) is ready.", name=made.name, slug=made.slug))
        return 0
    if args.command == "org" and args.org_command == "settings":
        for key, value in setup.show_settings(db, args.org).items():
            print(f"{key}: {value}")
        return 0
    if args.command == "org":
        key, value = (
            (args.values[0], args.values[1]) if len(args.values) > 1 else ("", args.values[0])
        )
        setup.set_setting(db, args.org, args.setting, key, value, now=now)
        print(_("Saved."))
        return 0
    if args.command == "staff":
        return _staff(runtime, args)
    if args.command == "participants":
        return _participants(runtime, args)
    made = _add(db, args, now)
    print(_("Added: {name}.", name=made.name))
    return 0


def _add(db: Any, args: argparse.Namespace, now: Any) -> setup.Made:
    if args.command == "locations":
        return setup.add_location(
            db, args.org, args.name, args.address, args.opening, args.coach, now
        )
    if args.command == "groups":
        return setup.add_group(
            db, args.org, args.name, args.kind, args.location, args.phase, args.language, now=now
        )
    return setup.add_programme(db, args.org, args.slug, args.name, now)


def _staff(runtime: Runtime, args: argparse.Namespace) -> int:
    if args.staff_command == "remove":
        name = setup.remove_staff(runtime.db, args.org, args.name, runtime.clock.now())
        print(_("{name} is removed. Their chat and web sessions no longer work.", name=name))
        return 0
    if args.staff_command == "role":
        name = setup.set_role(
            runtime.db, args.org, args.name, args.role == "admin", runtime.clock.now()
        )
        admin = _("{name} is now an admin.", name=name)
        print(admin if args.role == "admin" else _("{name} is now a coach.", name=name))
        return 0
    made = setup.invite_staff(runtime.db, args.org, args.name, args.admin, runtime.clock.now())
    until = format_day(made.expires_at.astimezone(runtime.settings.zone).date())
    print(
        _(
            "{name} can connect until {until}: send /start {code} to the bot.",
            name=made.name,
            until=until,
            code=made.code,
        )
    )
    link = _link(runtime, made.code)
    if link:
        print(link)
    return 0


def _participants(runtime: Runtime, args: argparse.Namespace) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"wegwijzer: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    report = roster.import_roster(runtime.db, args.org, text, runtime.clock.now(), args.skip_errors)
    for reason, details in report.errors:
        print(_(roster.ROW_ERRORS[reason], **details), file=sys.stderr)
    if report.errors and not args.skip_errors:
        print(
            _("Nothing was imported. Correct the lines above, or use --skip-errors."),
            file=sys.stderr,
        )
        return 2
    print(ngettext("{n} participant imported.", "{n} participants imported.", report.created))
    if args.codes:
        _write_codes(runtime, Path(args.codes), report.codes)
    return 0


def _link(runtime: Runtime, code: str) -> str | None:
    name = runtime.settings.bot_username
    return f"https://t.me/{name}?start={code}" if name else None


def _write_codes(runtime: Runtime, path: Path, made: list[PersonalCode]) -> None:
    """The codes as a spreadsheet-safe CSV, and a printable PDF sheet of QR codes beside it."""
    zone = runtime.settings.zone
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csvfiles.SafeWriter(out, ["name", "reference", "code", "link", "valid_until"])
        writer.writeheader()
        for person in made:
            writer.writerow(
                {
                    "name": person.name,
                    "reference": person.reference,
                    "code": person.code,
                    "link": _link(runtime, person.code) or f"/start {person.code}",
                    "valid_until": person.expires_at.astimezone(zone).date().isoformat(),
                }
            )
    print(_("The codes are in {file}.", file=str(path)))
    if not runtime.settings.bot_username:
        print(_("Set BOT_USERNAME to print a sheet of QR codes as well."))
        return
    sheet = path.with_suffix(".pdf")
    sheet.write_bytes(
        qr_sheet(
            [(p.name, p.code, _link(runtime, p.code) or "") for p in made],
            _("Scan the code with your phone camera, or send /start and the code to the bot."),
        )
    )
    print(_("The sheet of QR codes is in {file}.", file=str(sheet)))
