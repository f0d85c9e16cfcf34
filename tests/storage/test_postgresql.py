"""The production database: the same migrations and stores on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, text

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import TURN_THREADS
from bot.config import AppConfig, RateLimit
from bot.directory.fixture import load_fixture
from bot.mail.capture import CaptureMailer
from bot.nlu.model import NluModel
from bot.storage.db import head_revision, make_engine, migrate, one_statement, read_row, session_factory
from bot.storage.models import Base
from bot.storage.ratelimit import RateLimiter
from tests.conftest import ROOT, Chat, SettableClock
from tests.support.postgres import Postgres

pytestmark = pytest.mark.postgres
SUBSCRIBE = "INSERT INTO notice_subscriptions (sender_id, subscribed_at) VALUES ('web:pg', :at)"


def test_migrations_build_every_table_on_postgresql(postgres: Postgres) -> None:
    engine = make_engine(postgres.url)
    assert migrate(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    assert migrate(engine) == head_revision()  # idempotent
    engine.dispose()


def test_a_whole_conversation_on_postgresql(
    postgres: Postgres, config: AppConfig, clock: SettableClock, nlu: NluModel, tmp_path: Path
) -> None:
    migrate(make_engine(postgres.url))
    mailer = CaptureMailer(tmp_path / "outbox")
    services = build_services(config, clock=clock, database_url=postgres.url, mailer=mailer)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    chat = Chat(build_assistant(services, nlu), "web:pg")
    chat.say("mon lien de validation a expiré")
    chat.say("chloe.bernard")
    assert "a expiré" in chat.text
    chat.click("Oui")
    assert [m.recipient for m in mailer.sent] == ["chloe.b@example.org"]
    chat.say("je veux parler a un conseiller")
    ticket = services.tickets.open_for("web:pg")
    assert ticket is not None and "chloe.bernard" in ticket.transcript
    assert [e.operation for e in services.audit.recent() if e.outcome == "done"][:2] == [
        "create_ticket",
        "resend_validation_link",
    ]
    services.database.dispose()


def test_the_rate_limiter_counts_exactly_under_concurrency(postgres: Postgres) -> None:
    engine = make_engine(postgres.url)
    migrate(engine)
    limiter = RateLimiter(session_factory(engine))
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    limit = RateLimit(count=5, per_seconds=60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: limiter.hit("lookup:chat:web:storm", limit, now), range(20)))
    assert results.count(True) == 5
    engine.dispose()


def test_a_connection_back_from_one_statement_runs_whole_transactions_again(postgres: Postgres) -> None:
    engine = make_engine(postgres.url)
    migrate(engine)
    sessions = session_factory(engine)
    with one_statement(sessions) as connection:  # in autocommit, on the pool's only connection so far
        assert connection.execute(text("SELECT count(*) FROM notice_subscriptions")).scalar() == 0
    with pytest.raises(RuntimeError), engine.begin() as connection:  # the same connection, given back
        connection.execute(text(SUBSCRIBE), {"at": dt.datetime(2026, 11, 25, tzinfo=dt.UTC)})
        raise RuntimeError("the turn failed after its first write")
    assert read_row(sessions, text("SELECT count(*) FROM notice_subscriptions"), {}) == (0,)  # rolled back as a whole
    engine.dispose()


def test_turns_at_once_reuse_the_servers_connections(postgres: Postgres) -> None:
    engine = make_engine(postgres.url)
    migrate(engine)
    sessions = session_factory(engine)
    closed: list[object] = []
    event.listen(engine.pool, "close", lambda *_: closed.append(1))
    statement = text("SELECT pg_sleep(0.005)")
    with ThreadPoolExecutor(max_workers=TURN_THREADS) as pool:
        for _ in range(2):
            list(pool.map(lambda _: read_row(sessions, statement, {}), range(TURN_THREADS * 4)))
    assert closed == []  # none opened for a few turns and closed again
    engine.dispose()
