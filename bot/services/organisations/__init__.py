"""Organisations set themselves up (setup.py) and bring their people along (roster.py); and
finding one by the slug the command line names it with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.db import Database
from storage.models import Organisation


@dataclass(frozen=True)
class OrganisationRef:
    """What an adapter needs of an organisation: its number, name and default language."""

    id: int
    name: str
    default_language: str


def by_slug(db: Database, slug: str) -> OrganisationRef | None:
    """The organisation with this slug; None when there is none."""
    with db.read() as session:
        found = session.scalars(select(Organisation).where(Organisation.slug == slug)).first()
        if found is None:
            return None
        return OrganisationRef(found.id, found.name, found.default_language)


def programmes(db: Database, organisation_id: int) -> list[tuple[str, str]]:
    """The organisation's programmes (slug, name), by name: a report can be about one."""
    from storage.models import Programme

    with db.read() as session:
        return [
            (slug, name)
            for slug, name in session.execute(
                select(Programme.slug, Programme.name)
                .where(Programme.organisation_id == organisation_id)
                .order_by(Programme.name)
            )
        ]
