"""The questions coaches marked with an intent, as material for the language understanding's
training data (the command line's `nlu review`)."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import Organisation, Question


def marked_questions(db: Database, slug: str | None) -> list[tuple[str, str, str]] | None:
    """(language, intent, text) of every marked question, of one organisation when `slug`
    names it; None when no organisation has that slug."""
    with db.read() as session:
        query = select(Question).where(Question.marked_intent.is_not(None))
        if slug:
            organisation = session.scalars(
                select(Organisation).where(Organisation.slug == slug)
            ).first()
            if organisation is None:
                return None
            query = query.where(Question.organisation_id == organisation.id)
        return [(q.language, str(q.marked_intent), q.text) for q in session.scalars(query)]
