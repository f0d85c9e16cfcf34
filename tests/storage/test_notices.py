"""What the notices keep: a key is claimed once, a school's first count of a week stands, and the purge deletes
the records past their retention and the opt-ins of chats whose link is gone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import make_engine, migrate, session_factory
from bot.storage.links import LinkStore
from bot.storage.models import AccountLink, ActivationWatch, NoticeSent, NoticeSubscription, SchoolWeekCount
from bot.storage.notices import NoticeStore, PurgeCutoffs

NOW = dt.datetime(2026, 9, 7, 8, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    sqlite = f"sqlite:///{tmp_path / 'notices.db'}"
    url = sqlite if request.param == "sqlite" else request.getfixturevalue("postgres").url
    built = make_engine(url)
    migrate(built)
    yield built
    with built.begin() as connection:  # the PostgreSQL server is shared by the module's tests
        for model in (NoticeSent, NoticeSubscription, ActivationWatch, SchoolWeekCount, AccountLink):
            connection.execute(delete(model))
    built.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> NoticeStore:
    return NoticeStore(sessions)


def test_a_key_is_claimed_once_and_a_claim_rolled_back_is_no_claim(
    store: NoticeStore, sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(RuntimeError), sessions.begin() as session:
        assert store.claim("freeze:monlycee:2026-07-13:telegram:5001", "freeze", "telegram:5001", NOW, session)
        raise RuntimeError("the instance died before its transaction was committed")
    assert not store.was_sent("freeze:monlycee:2026-07-13:telegram:5001")
    with sessions.begin() as session:
        assert store.claim("freeze:monlycee:2026-07-13:telegram:5001", "freeze", "telegram:5001", NOW, session)
    with sessions.begin() as session:
        assert not store.claim("freeze:monlycee:2026-07-13:telegram:5001", "freeze", "telegram:5001", NOW, session)
    assert store.was_sent("freeze:monlycee:2026-07-13:telegram:5001") and store.sent_count("freeze") == 1


def test_opting_in_twice_is_one_subscription_and_opting_out_ends_it(store: NoticeStore) -> None:
    assert store.subscribe("telegram:5001", NOW)
    assert not store.subscribe("telegram:5001", NOW + dt.timedelta(hours=1))
    assert store.subscribe("telegram:5002", NOW + dt.timedelta(minutes=1))
    assert store.subscribers() == ["telegram:5001", "telegram:5002"]
    assert store.unsubscribe("telegram:5001") and not store.unsubscribe("telegram:5001")
    assert store.subscribers() == ["telegram:5002"] and not store.is_subscribed("telegram:5001")


def test_the_first_count_of_a_week_stands_for_the_whole_week(store: NoticeStore) -> None:
    assert store.week_count("0750001A", "2026-W37", 12, NOW) == 12
    assert store.week_count("0750001A", "2026-W37", 9, NOW + dt.timedelta(days=2)) == 12
    assert store.count_of("0750001A", "2026-W37") == 12 and store.count_of("0750001A", "2026-W36") is None
    store.week_count("0931234B", "2026-W37", 0, NOW)
    assert store.counts_of_week("2026-W37") == [("0750001A", 12), ("0931234B", 0)]


def test_a_chat_told_twice_is_watched_once_from_the_first_time(store: NoticeStore) -> None:
    store.watch("telegram:5003", "marie.dupont", NOW)
    store.watch("telegram:5003", "marie.dupont", NOW + dt.timedelta(hours=5))
    (watch,) = store.watches(told_before=NOW + dt.timedelta(days=1))
    assert (watch.sender_id, watch.login, watch.told_at) == ("telegram:5003", "marie.dupont", NOW)
    assert store.watches(told_before=NOW) == []
    store.drop_watch(watch.id)
    assert store.watches(told_before=NOW + dt.timedelta(days=1)) == []


def test_the_purge_keeps_what_is_recent_and_the_opt_ins_of_chats_still_linked(
    store: NoticeStore, sessions: sessionmaker[Session]
) -> None:
    links = LinkStore(sessions, key=b"k" * 32, clock=lambda: NOW)
    old, recent = NOW - dt.timedelta(days=100), NOW - dt.timedelta(days=3)
    links.link("telegram:linked", "lucas.martin", recent)
    links.link("telegram:stale", "marie.dupont", old)  # linked long ago, never renewed
    links.link("telegram:unlinked", "chloe.bernard", recent)
    links.unlink("telegram:unlinked", recent)
    for sender in ("telegram:linked", "telegram:stale", "telegram:unlinked", "telegram:never"):
        store.subscribe(sender, old)
    with sessions.begin() as session:
        store.claim("freeze:old", "freeze", "telegram:linked", old, session)
        store.claim("freeze:recent", "freeze", "telegram:linked", recent, session)
    store.watch("telegram:linked", "lucas.martin", old)
    store.watch("telegram:linked", "marie.dupont", recent)
    store.week_count("0750001A", "2026-W22", 4, old)
    store.week_count("0750001A", "2026-W36", 3, recent)
    cutoff = NOW - dt.timedelta(days=90)
    counts = store.purge(PurgeCutoffs(cutoff, cutoff, cutoff, links_before=NOW - dt.timedelta(days=90)))
    assert counts == {
        "notice_subscriptions": 3,
        "notices_sent": 1,
        "activation_watches": 1,
        "school_week_counts": 1,
    }
    assert store.subscribers() == ["telegram:linked"]
    assert store.was_sent("freeze:recent") and not store.was_sent("freeze:old")
    assert [w.login for w in store.watches(told_before=NOW)] == ["marie.dupont"]
    assert store.counts_of_week("2026-W36") == [("0750001A", 3)] and store.count_of("0750001A", "2026-W22") is None
