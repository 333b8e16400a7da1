"""The `wegwijzer` command as a newcomer uses it: clear errors, idempotent set-up, the console."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def wegwijzer(folder: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "TELEGRAM_", "TIMEZONE", "WEBHOOK_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert wegwijzer(folder, "db", "upgrade").returncode == 0
    first = wegwijzer(folder, "demo-data")
    assert first.returncode == 0, first.stderr
    return folder


def test_db_upgrade_and_demo_data_can_run_twice(demo_folder: Path) -> None:
    again = wegwijzer(demo_folder, "db", "upgrade")
    from bot.cli.main import _head

    assert again.returncode == 0 and f"revision {_head()}" in again.stdout
    first = wegwijzer(demo_folder, "demo-data")
    second = wegwijzer(demo_folder, "demo-data")
    assert first.stdout == second.stdout and "/start DEMO" in first.stdout
    assert (demo_folder / "var" / "wegwijzer.sqlite3").exists()


def test_scripted_console_onboarding_in_tigrinya(demo_folder: Path) -> None:
    result = wegwijzer(demo_folder, "chat", "--chat-id", "4242", stdin="/start DEMO\n3\n1\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[3] ትግርኛ" in out
    assert "Sanne de Vries" in out
    assert re.search(r"ኣብ Wijkatelier Noord \S+፣ \d+ \S+ 09:30 እንቋዕ ብደሓን", out)


def test_console_continues_after_a_restart(demo_folder: Path) -> None:
    first = wegwijzer(demo_folder, "chat", "--chat-id", "4343", stdin="/start DEMO\n5\n")
    assert "Is this OK for you?" in first.stdout
    second = wegwijzer(demo_folder, "chat", "--chat-id", "4343", stdin="1\n")
    assert second.stdout.count("Is this OK for you?") == 1  # shown again with its buttons
    assert "Your coach is Sanne de Vries" in second.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE: unknown time zone 'Mars/Olympus'"),
        (
            {"DATABASE_URL": "mysql://x"},
            "DATABASE_URL: must start with sqlite:// or postgresql+psycopg://",
        ),
        ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT: Input should be less than or equal to 65535"),
    ],
)
def test_bad_settings_give_one_clear_line(tmp_path: Path, env: dict, message: str) -> None:
    result = wegwijzer(tmp_path, "chat", **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"wegwijzer: {message}"]


def test_run_without_token_says_what_to_do(demo_folder: Path) -> None:
    result = wegwijzer(demo_folder, "run")
    assert result.returncode == 2
    assert result.stderr.startswith("wegwijzer: TELEGRAM_TOKEN: not set")


def test_unmigrated_database_is_reported(tmp_path: Path) -> None:
    result = wegwijzer(tmp_path, "chat")
    assert result.returncode == 2 and "run `wegwijzer db upgrade`" in result.stderr


def test_broadcast_from_the_command_line(demo_folder: Path) -> None:
    (demo_folder / "nl.txt").write_text("Vrijdag is het atelier dicht.", encoding="utf-8")
    (demo_folder / "ar.txt").write_text("الورشة مغلقة يوم الجمعة.", encoding="utf-8")
    sent = wegwijzer(
        demo_folder,
        "broadcast",
        "--org",
        "demo",
        "--group",
        "groep noord",
        "--text-file",
        "nl=nl.txt",
        "--text-file",
        "ar=ar.txt",
        "--ack",
    )
    assert sent.returncode == 0, sent.stderr
    number = re.search(r"Bericht (\d+)", sent.stdout)
    assert number, sent.stdout
    report = wegwijzer(demo_folder, "broadcast", "--org", "demo", "--report", number.group(1))
    assert report.returncode == 0 and f"Bericht {number.group(1)}" in report.stdout
    anyone = wegwijzer(demo_folder, "broadcast", "--report", number.group(1))
    assert anyone.returncode != 0 and "--org is required" in anyone.stderr
    assert "Bericht" not in anyone.stdout
    stopped = wegwijzer(demo_folder, "broadcast", "--org", "demo", "--cancel", number.group(1))
    assert stopped.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "Nergens", "--text-file", "nl=nl.txt"], "Deze groep"),
        (["--group", "Groep Noord"], "Het bericht is leeg"),
    ],
)
def test_broadcast_refusals_are_one_clear_line(demo_folder: Path, args, message) -> None:
    (demo_folder / "nl.txt").write_text("Hallo", encoding="utf-8")
    result = wegwijzer(demo_folder, "broadcast", "--org", "demo", *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_console_broadcast_reaches_another_console(demo_folder: Path) -> None:
    joined = wegwijzer(demo_folder, "chat", "--chat-id", "4545", stdin="/start DEMO\n2\n1\n")
    assert joined.returncode == 0, joined.stderr
    steps = [
        "/start COACH-DEMO",
        "/bericht",
        "1",
        "2",
        "Vrijdag is het atelier dicht.",
        "5",
        "4",
        "2",
        "1",
    ]  # Groep Noord, write, text, preview, urgent, no 👍, send
    coach = wegwijzer(demo_folder, "chat", "--coach", stdin="\n".join(steps) + "\n")
    assert coach.returncode == 0, coach.stderr
    assert "Vrijdag is het atelier dicht." in coach.stdout  # the preview
    later = wegwijzer(demo_folder, "chat", "--chat-id", "4545", stdin="")
    assert "Vrijdag is het atelier dicht." in later.stdout
    assert "الهولندية" in later.stdout  # "only available in Dutch", in Arabic


def test_appointments_import_from_the_command_line(demo_folder: Path) -> None:
    from datetime import date, timedelta

    ahead = date.today() + timedelta(days=10)
    (demo_folder / "ok.csv").write_text(
        "participant,kind,date,start,end,repeat,location,with,notes\n"
        f"Yonas,school_day,{ahead},09:00,15:00,weekly:we,Wijkatelier Noord,,\n",
        encoding="utf-8",
    )
    (demo_folder / "earlier.csv").write_text(
        "participant;kind;date;start\nYonas;intake;2025-03-04;09:00\n", encoding="utf-8"
    )
    refused = wegwijzer(demo_folder, "appointments", "import", "earlier.csv", "--org", "demo")
    assert refused.returncode == 2 and "2025-03-04" in refused.stderr
    history = ["appointments", "import", "earlier.csv", "--org", "demo", "--history"]
    assert wegwijzer(demo_folder, *history).returncode == 0
    (demo_folder / "bad.csv").write_text(
        "participant,kind,date,start\nNobody,exam,2026-12-02,09:00\n", encoding="utf-8"
    )
    good = wegwijzer(demo_folder, "appointments", "import", "ok.csv", "--org", "demo")
    assert good.returncode == 0 and "1" in good.stdout
    bad = wegwijzer(demo_folder, "appointments", "import", "bad.csv", "--org", "demo")
    assert bad.returncode == 2
    assert "2" in bad.stderr and "Nobody" in bad.stderr


def test_add_list_move_and_cancel_one_appointment(demo_folder: Path) -> None:
    from datetime import date, timedelta

    day = date.today() + timedelta(days=14)
    day += timedelta(days=(2 - day.weekday()) % 7)  # a Wednesday, two weeks or more ahead
    added = wegwijzer(
        demo_folder,
        *("appointments", "add", "--org", "demo", "--participant", "Rami"),
        *("--kind", "school_day", "--date", day.isoformat(), "--start", "09:00"),
        *("--repeat", "weekly:wo", "--location", "Wijkatelier Noord"),
    )
    assert added.returncode == 0, added.stderr
    number = re.search(r"Afspraak (\d+) is opgeslagen voor Rami: woensdag", added.stdout)
    assert number, added.stdout
    ident = number.group(1)
    listed = wegwijzer(
        demo_folder, "appointments", "list", "--org", "demo", "--participant", "rami"
    )
    assert f"{ident}: Rami, 🏫 Schooldag" in listed.stdout and "(herhaalt)" in listed.stdout
    assert "Yonas" not in listed.stdout
    at = f"{day.isoformat()} 09:00"
    moved = wegwijzer(
        demo_folder,
        *("appointments", "move", ident, "--org", "demo", "--at", at),
        *("--to", f"{(day + timedelta(days=1)).isoformat()} 10:00"),
    )
    assert moved.returncode == 0, moved.stderr
    assert "Verzet. Rami kan nu geen berichten krijgen." in moved.stdout  # not linked yet
    again = wegwijzer(
        demo_folder, "appointments", "move", ident, "--org", "demo", "--at", at, "--to", at
    )
    assert again.returncode == 2
    assert "Deze afspraak bestaat niet, of is al voorbij." in again.stderr
    badly = wegwijzer(demo_folder, "appointments", "cancel", ident, "--org", "demo", "--at", "wo")
    assert badly.returncode == 2 and "JJJJ-MM-DD UU:MM" in badly.stderr
    cancelled = wegwijzer(demo_folder, "appointments", "cancel", ident, "--org", "demo")
    assert cancelled.returncode == 0 and "Afgezegd." in cancelled.stdout
    wrong = wegwijzer(
        demo_folder,
        *("appointments", "add", "--org", "demo", "--participant", "Nobody"),
        *("--kind", "exam", "--date", day.isoformat(), "--start", "09:00"),
    )
    assert wrong.returncode == 2 and "Nobody" in wrong.stderr


def test_check_in_answers_exported_as_csv(demo_folder: Path) -> None:
    import csv
    from datetime import date, timedelta

    steps = ["/start DEMO", "1", "1", "/hoegaathet", "4", "6", "2"]  # Dutch, agree; 🙂, skip, 🙁
    chat = wegwijzer(demo_folder, "chat", "--chat-id", "4646", stdin="\n".join(steps) + "\n")
    assert chat.returncode == 0, chat.stderr
    today = date.today()
    args = ["--org", "demo", "--from", str(today - timedelta(days=1)), "--to", str(today)]
    done = wegwijzer(demo_folder, "checkins", "export", *args, "--out", "signals.csv")
    assert done.returncode == 0, done.stderr
    assert "3 signals written" in done.stderr
    with open(demo_folder / "signals.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["domain"], r["level"], r["source"]) for r in rows] == [
        ("financien", "4", "self"),
        ("werk_opleiding", "", "self"),
        ("tijdsbesteding", "2", "self"),
    ]
    assert rows[0]["name"] == "" and rows[0]["participant"].isdigit()
    named = wegwijzer(demo_folder, "checkins", "export", *args, "--names")
    assert "Demo" in named.stdout.splitlines()[1]
    trail = wegwijzer(
        demo_folder, "audit", "--org", "demo", "--participant", rows[0]["participant"]
    )
    assert trail.returncode == 0, trail.stderr
    assert "consent_given" in trail.stdout and "linked" in trail.stdout
    assert wegwijzer(demo_folder, "audit", "--org", "demo", "--participant", "999").returncode == 2
    wrong = wegwijzer(
        demo_folder, "checkins", "export", "--org", "demo", "--from", "3-12", "--to", "x"
    )
    assert wrong.returncode == 2 and "YYYY-MM-DD" in wrong.stderr


def test_a_name_that_is_a_formula_stays_text_in_the_export(demo_folder: Path) -> None:
    import csv
    from datetime import date, timedelta

    name = '=HYPERLINK("http://evil.example","click")'
    steps = ["/start DEMO", "1", "1", "/hoegaathet", "4"]
    chat = wegwijzer(
        demo_folder, "chat", "--chat-id", "4747", "--name", name, stdin="\n".join(steps) + "\n"
    )
    assert chat.returncode == 0, chat.stderr
    today = date.today()
    args = ["--org", "demo", "--from", str(today - timedelta(days=1)), "--to", str(today)]
    done = wegwijzer(demo_folder, "checkins", "export", *args, "--names", "--out", "named.csv")
    assert done.returncode == 0, done.stderr
    with open(demo_folder / "named.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["name"] for r in rows if "HYPERLINK" in r["name"]}
    assert names == {"'" + name}  # a spreadsheet shows it, never runs it


def test_control_characters_in_a_name_are_shown_not_obeyed(demo_folder: Path) -> None:
    from datetime import date, timedelta

    name = "Evil\x1b[2J\u202eman"
    steps = ["/start DEMO", "1", "1", "/hoegaathet", "4"]
    chat = wegwijzer(
        demo_folder, "chat", "--chat-id", "4848", "--name", name, stdin="\n".join(steps) + "\n"
    )
    assert chat.returncode == 0, chat.stderr
    today = date.today()
    args = ["--org", "demo", "--from", str(today - timedelta(days=1)), "--to", str(today)]
    shown = wegwijzer(demo_folder, "checkins", "export", *args, "--names").stdout
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "Evil[2J\\u202eman" in shown  # the escape was never stored; the override is shown


def test_what_the_cli_prints_cannot_steer_the_terminal() -> None:
    from bot.cli.main import printable

    assert (
        printable("a\x1b[2Jb\u202ec\n\td\u2068e\u2069") == "a\\u001b[2Jb\\u202ec\n\td\u2068e\u2069"
    )


def test_an_organisation_starts_with_the_set_up_commands_in_order(tmp_path: Path) -> None:
    env = {"BOT_USERNAME": "wegwijzer_test_bot", "DEFAULT_LANGUAGE": "en"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return wegwijzer(tmp_path, *args, **env)

    assert run("db", "upgrade").returncode == 0
    made = run("org", "create", "--slug", "noord", "--name", "Atelier Noord")
    assert made.returncode == 0 and "Atelier Noord (noord) is ready" in made.stdout
    staff = run("staff", "invite", "--org", "noord", "--name", "Sanne", "--admin")
    assert "https://t.me/wegwijzer_test_bot?start=" in staff.stdout
    for args in (
        ("locations", "add", "--org", "noord", "--name", "De Brug"),
        ("programmes", "add", "--org", "noord", "--name", "Wijkateliers"),
        ("groups", "add", "--org", "noord", "--name", "Taalcafé", "--kind", "custom"),
        ("org", "set", "--org", "noord", "alerts", "absences_in_a_row", "3"),
    ):
        assert run(*args).returncode == 0, run(*args).stderr
    people = tmp_path / "people.csv"
    people.write_text(
        "participant;location;programme;started_on;left_on;outflow;groups\n"
        "أمل حسن;De Brug;Wijkateliers;2025-02-03;;;Taalcafé\n"
        "ዮናስ;De Brug;Natuurtalent;2025-03-10;2025-11-28;betaald_werk;\n",
        encoding="utf-8",
    )
    imported = run("participants", "import", str(people), "--org", "noord", "--codes", "c.csv")
    assert imported.returncode == 0, imported.stderr
    assert "2 participants imported." in imported.stdout
    codes = (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(codes) == 2 and codes[1].startswith("أمل حسن,")  # who left gets no code
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    assert "alerts: {'absences_in_a_row': 3" in run("org", "settings", "--org", "noord").stdout
    scores = tmp_path / "zrm.csv"
    scores.write_text(
        "participant,location,measured_on,domain,score\n"
        "أمل حسن,De Brug,2025-02-10,financien,2\nأمل حسن,De Brug,2025-09-01,financien,4\n",
        encoding="utf-8",
    )
    zrm = run("zrm", "import", str(scores), "--org", "noord", "--matrix", "2017")
    assert zrm.returncode == 0 and "2 ZRM scores imported." in zrm.stdout, zrm.stderr
    twice = run("zrm", "import", str(scores), "--org", "noord", "--matrix", "2017")
    assert twice.returncode == 2 and "Line 2: this is already in Wegwijzer." in twice.stderr
    again = run("org", "create", "--slug", "noord", "--name", "X")
    assert again.returncode == 2 and "is already used" in again.stderr
    wrong = run("org", "set", "--org", "noord", "checkins", "weekday", "friday")
    assert wrong.returncode == 2 and "Nothing was changed" in wrong.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,started_on\nRami,2025-13-01\n", encoding="utf-8")
    refused = run("participants", "import", str(bad), "--org", "noord")
    assert refused.returncode == 2
    assert "Line 2: write the date as YYYY-MM-DD, not 2025-13-01." in refused.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(demo_folder: Path, monkeypatch) -> None:
    """`wegwijzer demo-data | head -n 1`: the pipe closes while the codes are printed."""
    from bot.cli.main import main

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.chdir(demo_folder)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["demo-data"]) == 1  # no traceback
