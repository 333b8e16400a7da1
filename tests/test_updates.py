"""Telegram may deliver an update twice; the second copy is recognised on every database."""

from __future__ import annotations

from datetime import timedelta

from bot.services.updates import claim_update, forget_old


def test_an_update_is_claimed_once(session_factory, clock) -> None:
    with session_factory() as session, session.begin():
        assert claim_update(session, 1_763_900_000_000_001, clock.now())
    with session_factory() as session, session.begin():
        assert not claim_update(session, 1_763_900_000_000_001, clock.now())
        assert claim_update(session, 1_763_900_000_000_002, clock.now())


def test_old_claims_are_forgotten(session_factory, clock) -> None:
    with session_factory() as session, session.begin():
        claim_update(session, 1, clock.now() - timedelta(days=3))
        claim_update(session, 2, clock.now())
    with session_factory() as session:
        assert forget_old(session, clock.now()) == 1
