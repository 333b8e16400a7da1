"""`wegwijzer audit`: who viewed or changed one participant's data, for the organisation."""

from __future__ import annotations

import argparse
import sys

from bot.cli.appointments import _organisation_id
from bot.runtime import Runtime
from bot.services import audit


def audit_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """`wegwijzer audit --org SLUG --participant N|NAME`: the trail of one participant."""
    from sqlalchemy import select

    from storage.models import Participant

    organisation_id = _organisation_id(runtime, args.org)
    if organisation_id is None:
        return 2
    zone = runtime.settings.zone
    with runtime.session_factory() as session, session.begin():
        wanted = str(args.participant).strip()
        query = select(Participant.id).where(Participant.organisation_id == organisation_id)
        query = query.where(
            Participant.id == int(wanted)
            if wanted.isdigit()
            else Participant.display_name == wanted
        )
        found = session.scalars(query).all()
        if len(found) != 1:
            print(
                f"wegwijzer: {len(found)} participants of {args.org} match {wanted!r}",
                file=sys.stderr,
            )
            return 2
        events = audit.trail(session, organisation_id, found[0])
    for at, actor, name, action, detail in events:
        who = f"{actor} {name}".strip()
        shown = " ".join(f"{k}={v}" for k, v in detail.items())
        print(f"{at.astimezone(zone):%Y-%m-%d %H:%M}  {who:<28} {action:<22} {shown}".rstrip())
    return 0
