"""The `wegwijzer` command: run, chat, db, demo-data, set-up, imports and reports."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import TextIO, cast
from urllib.parse import urlparse

from bot import content
from bot.cli import appointments, audit, broadcast, checkins, history, nlu, web
from bot.cli import report as reports
from bot.cli import setup as set_up
from bot.console.chat import run_console
from bot.content import ContentError
from bot.demo import load_demo
from bot.refusals import explain
from bot.runtime import Runtime, bootstrap
from bot.services import schema
from bot.services.errors import DomainError
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.app import build_application
from bot.telegram.sender import run_sender_only
from flows.model import FlowError

log = logging.getLogger("wegwijzer")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wegwijzer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the Telegram bot (polling, or webhook when configured)")
    commands.add_parser("sender", help="only drain the outbox (an extra sender process)")
    chat = commands.add_parser("chat", help="chat with the bot in this terminal, without Telegram")
    chat.add_argument("--coach", action="store_true", help="play a coach instead of a participant")
    chat.add_argument("--chat-id", type=int, help="the chat to play (default 1001, coach 2001)")
    chat.add_argument("--name", help="first name to show (default Demo / Coach)")
    chat.add_argument("--language-code", help="language of the pretend Telegram app, e.g. ar")
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the newest schema")
    db_commands.add_parser("current", help="show the schema revision of the database")
    commands.add_parser("demo-data", help="load the demo organisation and print its invite codes")
    appointments = commands.add_parser("appointments", help="appointments and their reminders")
    appointment_commands = appointments.add_subparsers(dest="appointments_command", required=True)
    importer = appointment_commands.add_parser(
        "import",
        help="import appointments from a CSV file (columns: participant, kind, date, "
        "start, end, repeat, location, with, notes)",
    )
    importer.add_argument("file", help="UTF-8 CSV file")
    importer.add_argument("--org", required=True, help="organisation slug")
    importer.add_argument(
        "--history",
        action="store_true",
        help="the file brings earlier records along: past dates allowed, nothing reminded",
    )
    importer.add_argument(
        "--skip-errors",
        action="store_true",
        help="import the good rows even if some rows have errors",
    )
    add = appointment_commands.add_parser(
        "add", help="add one appointment (checked like a CSV row); the participant is told"
    )
    add.add_argument("--org", required=True, help="organisation slug")
    add.add_argument("--participant", required=True, help="name or number of the participant")
    add.add_argument(
        "--kind",
        required=True,
        help="coach_talk, intake, workshop_day, school_day, placement_day, exam or other",
    )
    add.add_argument("--date", required=True, help="YYYY-MM-DD (the first one, if it repeats)")
    add.add_argument("--start", required=True, help="HH:MM, local time")
    add.add_argument("--end", help="HH:MM, local time")
    add.add_argument("--repeat", help="none, weekly:tu,th (or ma,di,…) or an RFC 5545 RRULE")
    add.add_argument("--location", help="location name")
    add.add_argument("--with", help="name of the staff member")
    add.add_argument("--notes", help="a note the participant reads in the reminder")
    listing = appointment_commands.add_parser("list", help="the coming four weeks")
    listing.add_argument("--org", required=True, help="organisation slug")
    listing.add_argument("--participant", help="only this participant (name)")
    move = appointment_commands.add_parser(
        "move", help="move one occurrence; reminders follow and the participant is told once"
    )
    move.add_argument("id", type=int, help="appointment number (see list)")
    move.add_argument("--org", required=True, help="organisation slug")
    move.add_argument("--at", required=True, help='the occurrence: "YYYY-MM-DD HH:MM"')
    move.add_argument("--to", required=True, help='the new time: "YYYY-MM-DD HH:MM"')
    cancel = appointment_commands.add_parser(
        "cancel", help="cancel one occurrence (--at) or the whole appointment or series"
    )
    cancel.add_argument("id", type=int, help="appointment number (see list)")
    cancel.add_argument("--org", required=True, help="organisation slug")
    cancel.add_argument("--at", help='only the occurrence at "YYYY-MM-DD HH:MM"')
    present = commands.add_parser("attendance", help="attendance records")
    present_commands = present.add_subparsers(dest="attendance_command", required=True)
    present_import = present_commands.add_parser(
        "import",
        help="import attendance from a CSV file (columns: participant, date, start, status, "
        "reason; status present, late, excused or absent)",
    )
    present_import.add_argument("file", help="UTF-8 CSV file")
    present_import.add_argument("--org", required=True, help="organisation slug")
    present_import.add_argument(
        "--skip-errors", action="store_true", help="save the good rows even if some have errors"
    )
    checkins = commands.add_parser("checkins", help="check-in signals")
    checkin_commands = checkins.add_subparsers(dest="checkins_command", required=True)
    export = checkin_commands.add_parser(
        "export", help="write an organisation's signals as CSV, one row per signal"
    )
    export.add_argument("--org", required=True, help="organisation slug")
    export.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    export.add_argument("--out", help="CSV file to write (default: standard output)")
    export.add_argument(
        "--names", action="store_true", help="include participants' names (default: numbers)"
    )
    trail = commands.add_parser(
        "audit", help="who viewed or changed one participant's data (for organisation staff)"
    )
    trail.add_argument("--org", required=True, help="organisation slug")
    trail.add_argument("--participant", required=True, help="participant number or exact name")
    nlu = commands.add_parser("nlu", help="the language understanding: evaluate it")
    nlu_commands = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluate = nlu_commands.add_parser(
        "evaluate", help="cross-validation per language, or a separate test file"
    )
    evaluate.add_argument("--engine", choices=("builtin", "rasa"), default="builtin")
    evaluate.add_argument("--test", help="a test file in Rasa NLU YAML (nl.yml, ar.yml, …)")
    evaluate.add_argument("--lang", help="the test file's language, if its name does not say")
    evaluate.add_argument("--folds", type=int, default=4, help="folds per language (default 4)")
    evaluate.add_argument(
        "--report", default="var/nlu/report.json", help="where the JSON report goes"
    )
    review = nlu_commands.add_parser(
        "review", help="questions coaches marked with an intent, as training data to check"
    )
    review.add_argument("--org", help="only this organisation's questions (slug)")
    review.add_argument("--out", default="var/nlu/review", help="folder for <lang>.yml")
    review.add_argument(
        "--merge", action="store_true", help="add them to nlu/data/<lang>/review.yml instead"
    )
    answers = commands.add_parser(
        "answers", help="the organisations' answers: check them (translations, dates, amounts)"
    )
    answers.add_argument("answers_command", choices=("check",))
    send = commands.add_parser("broadcast", help="send a message to groups, or follow one")
    send.add_argument("--org", help="organisation slug (to send, or with --list)")
    send.add_argument("--group", action="append", default=[], help="group name; repeatable")
    send.add_argument("--everyone", action="store_true", help="all linked participants")
    send.add_argument(
        "--text-file",
        action="append",
        default=[],
        metavar="LANG=PATH",
        help="the text in one language, from a UTF-8 file; repeatable",
    )
    send.add_argument(
        "--default-language",
        default=None,
        help="language whose text others get, with a note (default: the org's)",
    )
    send.add_argument("--at", help="local time to send, 'YYYY-MM-DD HH:MM' (default: now)")
    send.add_argument("--ack", action="store_true", help="add an 'understood 👍' button")
    send.add_argument("--insist", action="store_true", help="send during quiet hours too")
    send.add_argument("--report", type=int, metavar="ID", help="show the delivery report")
    send.add_argument(
        "--cancel",
        type=int,
        metavar="ID",
        help="cancel a scheduled message, or stop one that is being sent",
    )
    send.add_argument("--list", action="store_true", help="the organisation's recent messages")
    set_up.add_parsers(commands)
    history.add_parsers(commands)
    reports.add_parsers(commands)
    web.add_parsers(commands)
    return parser


class _Printable(io.TextIOBase):
    """The terminal of the person running a command: control characters in what it prints
    (a participant chooses their own name, escapes and all) are shown, never obeyed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


def printable(text: str) -> str:
    """Control characters (ANSI escapes among them) and bidi embeddings or overrides as visible
    escapes; lines, tabs and the isolates our own texts use stay."""
    return "".join(
        f"\\u{ord(char):04x}"
        if (unicodedata.category(char) == "Cc" and char not in "\n\t")
        or "\u202a" <= char <= "\u202e"
        else char
        for char in text
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not isinstance(sys.stdout, _Printable):
        sys.stdout = cast(TextIO, _Printable(sys.stdout))
    try:
        settings = load_settings()
        configure_logging(settings)
        return _dispatch(args, settings)
    except (SettingsError, FlowError, ContentError) as exc:
        print(f"wegwijzer: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:  # a refusal, said once for every command
        print(f"wegwijzer: {explain(exc)}", file=sys.stderr)
        return 2
    except schema.Unusable as exc:
        print(f"wegwijzer: cannot use the database: {schema.why(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `wegwijzer … | head`: the reader left; say nothing more
        try:  # and let the interpreter's last flush go nowhere instead of failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1


def configure_logging(settings: Settings) -> None:
    """One format for all; libraries that would write tokens or message texts are held back.
    python-telegram-bot logs every request and answer at DEBUG, texts included: only with
    LOG_MESSAGE_TEXT does LOG_LEVEL=DEBUG reach it."""
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    for chatty in ("weasyprint", "fontTools"):  # a line per font table for every PDF
        logging.getLogger(chatty).setLevel(logging.ERROR)
    logging.getLogger("telegram").setLevel(
        logging.NOTSET if settings.log_message_text else logging.INFO
    )


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command `args` names; the database commands and checks first."""
    if args.command in ("run", "sender") and not settings.telegram_token:
        raise SettingsError(
            "TELEGRAM_TOKEN: not set; get one from @BotFather, or use "
            "`wegwijzer chat` to try the bot without Telegram"
        )
    if args.command == "nlu" and args.nlu_command == "evaluate":
        return nlu.evaluate_command(settings, args)
    if args.command == "answers":
        return _check_answers(settings)
    if args.command == "db":
        if args.db_command == "upgrade":
            schema.upgrade(settings.database_url)
        print(f"database at revision {schema.revision(settings.database_url)}")
        return 0
    if not schema.up_to_date(settings.database_url):
        raise SettingsError(
            "DATABASE_URL: the database is not up to date; run `wegwijzer db upgrade`"
        )
    runtime = bootstrap(settings)
    if settings.log_message_text:
        log.warning("LOG_MESSAGE_TEXT is on: participants' messages are written to the log")
    return _with_runtime(args, runtime)


def _with_runtime(args: argparse.Namespace, runtime: Runtime) -> int:
    """The commands that use the database and the flows."""
    if args.command == "demo-data":
        return _demo_data(runtime)
    if args.command == "chat":
        chat_id = args.chat_id or (2001 if args.coach else 1001)
        name = args.name or ("Coach" if args.coach else "Demo")
        asyncio.run(run_console(runtime, chat_id, name, args.language_code))
        return 0
    if args.command == "appointments":
        return {
            "import": appointments.import_command,
            "add": appointments.add_command,
            "list": appointments.list_command,
            "move": appointments.change_command,
            "cancel": appointments.change_command,
        }[args.appointments_command](runtime, args)
    if args.command == "attendance":
        return appointments.import_command(runtime, args)
    if args.command == "nlu":
        return nlu.review_command(runtime, args)
    if args.command == "audit":
        return audit.audit_command(runtime, args)
    if args.command == "checkins":
        return checkins.export_command(runtime, args)
    if args.command == "broadcast":
        return broadcast.broadcast_command(runtime, args)
    if args.command in set_up.COMMANDS:
        return set_up.run(runtime, args)
    if args.command in history.COMMANDS:
        return history.run(runtime, args)
    if args.command in reports.COMMANDS:
        return reports.run(runtime, args)
    if args.command in web.COMMANDS:
        return web.run(runtime, args)
    if args.command == "sender":
        asyncio.run(run_sender_only(runtime, build_application(runtime)))
        return 0
    return _run_telegram(runtime)


def _demo_data(runtime: Runtime) -> int:
    """Load the demo organisation (once) and print its invite codes."""
    codes = load_demo(runtime.db, runtime.clock.now(), runtime.settings.zone)
    print("Demo organisation 'Wijkatelier De Brug' is ready. Invite codes:")
    for what, code in codes:
        print(f"  /start {code:<12}  {what}")
    return 0


def _check_answers(settings: Settings) -> int:
    """Every answer file loads; list what an operator should look at (1 if anything)."""
    book = content.load(Path(settings.content_dir)) if settings.content_dir else content.load()
    problems = content.check(book, datetime.now(settings.zone).date())
    for problem in problems:
        print(problem)
    answers = sum(len(a) for a in [book.default, *book.own.values()])
    print(f"{answers} answers for {1 + len(book.own)} organisations; {len(problems)} to look at")
    return 1 if problems else 0


def _head() -> str | None:
    """The newest schema revision this code knows."""
    return schema.newest()


def _run_telegram(runtime: Runtime) -> int:
    """`wegwijzer run`: polling, or the webhook when WEBHOOK_URL is set."""
    settings = runtime.settings
    application = build_application(runtime, run_sender=True)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.strip("/")
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
        )
    else:
        application.run_polling()
    return 0


if __name__ == "__main__":
    sys.exit(main())
