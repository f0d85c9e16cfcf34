"""One-time codes and account links: 6 digits, 10 minutes, 5 tries, only a hash kept; links revocable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.storage.db import make_engine, session_factory
from bot.storage.links import CodeCheck, LinkStore
from bot.storage.models import OneTimeCode
from tests.conftest import SettableClock

TTL = dt.timedelta(minutes=10)


def store(database_url: str, clock: SettableClock) -> LinkStore:
    return LinkStore(session_factory(make_engine(database_url)), key=b"fixed test key", clock=clock)


def test_a_code_proves_the_login_once(database_url: str, clock: SettableClock) -> None:
    links = store(database_url, clock)
    code = links.issue_code("telegram:1", "Lucas.Martin", 6, TTL, clock())
    assert len(code) == 6 and code.isdigit()
    with links._sessions() as session:
        stored = session.scalars(select(OneTimeCode.code_hash)).all()
    assert stored and code not in stored[0]
    assert links.check_code("telegram:2", code, 5, clock()) == (CodeCheck.NO_CODE, None)  # another chat
    assert links.check_code("telegram:1", code, 5, clock()) == (CodeCheck.OK, "lucas.martin")
    assert links.check_code("telegram:1", code, 5, clock())[0] is CodeCheck.NO_CODE  # spent


def test_a_code_expires_after_ten_minutes(database_url: str, clock: SettableClock) -> None:
    links = store(database_url, clock)
    code = links.issue_code("telegram:1", "lucas.martin", 6, TTL, clock())
    clock.advance(minutes=10)
    assert links.check_code("telegram:1", code, 5, clock())[0] is CodeCheck.EXPIRED


def test_five_wrong_tries_burn_the_code(database_url: str, clock: SettableClock) -> None:
    links = store(database_url, clock)
    code = links.issue_code("telegram:1", "lucas.martin", 6, TTL, clock())
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    results = [links.check_code("telegram:1", wrong, 5, clock())[0] for _ in range(5)]
    assert results == [CodeCheck.WRONG] * 4 + [CodeCheck.TOO_MANY_ATTEMPTS]
    assert links.check_code("telegram:1", code, 5, clock())[0] is CodeCheck.NO_CODE  # even the right one


def test_a_new_code_replaces_the_previous_one(database_url: str, clock: SettableClock) -> None:
    links = store(database_url, clock)
    first = links.issue_code("telegram:1", "lucas.martin", 6, TTL, clock())
    second = links.issue_code("telegram:1", "lucas.martin", 6, TTL, clock())
    if first != second:
        assert links.check_code("telegram:1", first, 5, clock())[0] is CodeCheck.WRONG
    assert links.check_code("telegram:1", second, 5, clock())[0] is CodeCheck.OK


def test_links_are_revocable(database_url: str, clock: SettableClock) -> None:
    links = store(database_url, clock)
    links.link("telegram:1", "lucas.martin", clock())
    assert links.linked_login("telegram:1") == "lucas.martin"
    assert links.unlink("telegram:1", clock()) is True
    assert links.linked_login("telegram:1") is None
    assert links.unlink("telegram:1", clock()) is False


def test_concurrent_checks_of_one_code_never_exceed_its_tries(database_url: str, clock: SettableClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    links = store(database_url, clock)
    code = links.issue_code("telegram:1", "lucas.martin", 6, TTL, clock())
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: links.check_code("telegram:1", wrong, 5, clock())[0], range(16)))
    assert results.count(CodeCheck.WRONG) <= 4
    with links._sessions() as session:
        attempts = session.scalar(select(OneTimeCode.attempts))
    assert attempts is not None and attempts <= 5


def test_a_link_read_once_a_turn_still_follows_the_links_made_and_revoked_in_it(
    database_url: str, clock: SettableClock
) -> None:
    links = store(database_url, clock)
    with links.remembering():
        assert links.linked_login("telegram:1") is None
        links.link("telegram:1", "lucas.martin", clock())
        assert links.linked_login("telegram:1") == "lucas.martin"
        links.unlink("telegram:1", clock())
        assert links.linked_login("telegram:1") is None
    assert links.linked_login("telegram:1") is None
