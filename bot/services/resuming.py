"""Picking up a chat where it was: the question its flow waits on, in its language (the
console shows it again after a restart)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import conversations
from bot.services.conversations import Flows
from bot.services.people.identity import who_is
from flows.model import Send
from storage.db import Database


@dataclass(frozen=True)
class Waiting:
    """The question a chat's run waits on, and the language the chat chose (if any)."""

    question: Send
    language: str | None


def waiting_question(db: Database, flows: Flows, chat_id: int) -> Waiting | None:
    """What the chat was asked last and has not answered; None when it waits on nothing."""
    with db.read() as session:
        question = conversations.waiting_question(session, flows, chat_id)
        with session.begin():
            identity = who_is(session, chat_id)
    if question is None:
        return None
    return Waiting(question, identity.language)
