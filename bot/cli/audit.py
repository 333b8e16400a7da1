"""`wegwijzer audit`: who viewed or changed one participant's data, for the organisation."""

from __future__ import annotations

import argparse
import sys

from bot.cli.appointments import _organisation_id
from bot.runtime import Runtime
from bot.services.people import trail


def audit_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """`wegwijzer audit --org SLUG --participant N|NAME`: the trail of one participant."""
    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    zone = runtime.settings.zone
    wanted = str(args.participant).strip()
    found = trail.of_participant(runtime.db, organisation_id, wanted)
    if found.matches != 1:
        print(
            f"wegwijzer: {found.matches} participants of {args.org} match {wanted!r}",
            file=sys.stderr,
        )
        return 2
    for at, actor, name, action, detail in found.events:
        who = f"{actor} {name}".strip()
        shown = " ".join(f"{k}={v}" for k, v in detail.items())
        print(f"{at.astimezone(zone):%Y-%m-%d %H:%M}  {who:<28} {action:<22} {shown}".rstrip())
    return 0
