"""The states of CAS logins: bound to the chat that asked, single-use, expiring, kept only as a keyed hash."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from bot.storage.cas_states import CasStateStore, StateCheck, StateUse
from bot.storage.db import make_engine, session_factory
from bot.storage.models import CasLoginState
from tests.conftest import SettableClock

TTL = dt.timedelta(minutes=10)


def store(database_url: str, key: bytes = b"fixed test key") -> CasStateStore:
    return CasStateStore(session_factory(make_engine(database_url)), key)


def test_a_state_says_which_chat_and_tenant_it_was_issued_for_once(database_url: str, clock: SettableClock) -> None:
    states = store(database_url)
    state = states.issue("telegram:5001", "netocentre", TTL, clock())
    other = states.issue("web:abc", "netocentre", TTL, clock())
    assert states.use(state, clock()) == StateUse(StateCheck.OK, "telegram:5001", "netocentre")
    assert states.use(state, clock()) == StateUse(StateCheck.USED, "telegram:5001", "netocentre")  # a reload
    assert states.use(other, clock()).sender_id == "web:abc"


def test_states_are_unguessable_and_only_their_keyed_hash_is_kept(database_url: str, clock: SettableClock) -> None:
    states = store(database_url)
    issued = {states.issue("web:abc", "netocentre", TTL, clock()) for _ in range(20)}
    assert len(issued) == 20 and all(len(state) >= 43 for state in issued)
    with states._sessions() as session:
        kept = session.scalars(select(CasLoginState.state_hash)).all()
    assert not any(state in digest or digest in state for state in issued for digest in kept)
    another_key = store(database_url, key=b"another server key")
    assert another_key.use(next(iter(issued)), clock()).check is StateCheck.UNKNOWN  # a copy of the database alone


def test_a_state_expires_and_is_spent_by_the_late_try(database_url: str, clock: SettableClock) -> None:
    states = store(database_url)
    state = states.issue("telegram:5001", "netocentre", TTL, clock())
    clock.advance(minutes=10)
    assert states.use(state, clock()) == StateUse(StateCheck.EXPIRED, "telegram:5001", "netocentre")
    assert states.use(state, clock()).check is StateCheck.USED


def test_a_state_never_issued_is_unknown(database_url: str, clock: SettableClock) -> None:
    assert store(database_url).use("x" * 43, clock()) == StateUse(StateCheck.UNKNOWN)


def test_of_two_returns_with_one_state_exactly_one_gets_it(database_url: str, clock: SettableClock) -> None:
    states = store(database_url)
    state = states.issue("web:abc", "netocentre", TTL, clock())
    results: list[StateCheck] = []
    start = threading.Barrier(8)

    def present() -> None:
        start.wait()
        results.append(states.use(state, clock()).check)

    threads = [threading.Thread(target=present) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([StateCheck.OK] + [StateCheck.USED] * 7)


def test_the_purge_forgets_states_expired_before_a_day(database_url: str, clock: SettableClock) -> None:
    states = store(database_url)
    old = states.issue("web:abc", "netocentre", TTL, clock())
    clock.advance(days=2)
    fresh = states.issue("web:abc", "netocentre", TTL, clock())
    assert states.purge(clock() - dt.timedelta(days=1)) == 1
    assert states.use(old, clock()).check is StateCheck.UNKNOWN
    assert states.use(fresh, clock()).check is StateCheck.OK
