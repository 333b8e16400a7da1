"""`wegwijzer web`: the web app for coaches and staff as its own process on the same database;
`wegwijzer web link`: a one-time login link for a staff member, for an operator."""

from __future__ import annotations

import argparse
from typing import Any

from bot.i18n import _, format_when, use_locale
from bot.runtime import Runtime

COMMANDS = ("web",)


def add_parsers(commands: Any) -> None:
    web = commands.add_parser("web", help="the web app for coaches and staff")
    web.add_argument("--host", help="listen on this address (default WEB_HOST, 127.0.0.1)")
    web.add_argument("--port", type=int, help="listen on this port (default WEB_PORT, 8080)")
    what = web.add_subparsers(dest="web_command")
    link = what.add_parser("link", help="a one-time login link (5 minutes) for a staff member")
    link.add_argument("--org", required=True, help="organisation slug")
    link.add_argument("--staff", required=True, help="the staff member's name")


def login_url(runtime: Runtime, token: str) -> str:
    return f"{runtime.settings.web_address}/login/{token}"


def run(runtime: Runtime, args: argparse.Namespace) -> int:
    if args.web_command == "link":
        from bot.services.access import logins

        made = logins.link_for_operator(runtime.db, args.org, args.staff, runtime.clock.now())
        with use_locale(runtime.settings.default_language):
            print(
                _(
                    "A login link for {name}. It works once, until {when}:",
                    name=made.name,
                    when=format_when(made.expires_at, runtime.settings.zone),
                )
            )
        print(login_url(runtime, made.token))
        return 0
    import uvicorn

    from bot.web.app import create_app

    uvicorn.run(
        create_app(runtime),
        host=args.host or runtime.settings.web_host,
        port=args.port or runtime.settings.web_port,
        proxy_headers=True,
        server_header=False,
        log_level=runtime.settings.log_level.lower(),
    )
    return 0
