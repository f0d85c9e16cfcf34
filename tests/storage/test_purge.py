"""The retention purge: every idle conversation goes, in short batches, however many there are; nothing recent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from threading import Thread

import pytest
from sqlalchemy import ColumnElement, Engine, delete, event, func, select, update

from bot.storage.batches import delete_in_batches
from bot.storage.conversations import ConversationStore
from bot.storage.db import make_engine, migrate, session_factory
from bot.storage.models import Conversation, Message, NluLabel, NluMiss
from bot.storage.nlu_labels import NluLabelStore
from tests.support.bulk import add_conversations
from tests.support.postgres import Postgres

CUTOFF = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
IDLE = CUTOFF - dt.timedelta(days=40)
RECENT = CUTOFF + dt.timedelta(days=10)
MANY = 100_000  # past PostgreSQL's 65,535 parameters a statement, and SQLite's 32,766


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    sqlite = f"sqlite:///{tmp_path / 'purge.db'}"
    url = sqlite if request.param == "sqlite" else request.getfixturevalue("postgres").url
    built = make_engine(url)
    migrate(built)
    yield built
    with built.begin() as connection:  # the PostgreSQL server is shared by the module's tests
        connection.execute(delete(Conversation))
        connection.execute(delete(NluMiss))
    built.dispose()


def _count(engine: Engine, model: type[Conversation | Message | NluMiss], *where: ColumnElement[bool]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def test_the_purge_forgets_every_idle_conversation_and_nothing_recent(engine: Engine) -> None:
    add_conversations(engine, "idle:", MANY, IDLE)
    add_conversations(engine, "idle-talked:", 300, IDLE, messages_each=3)
    add_conversations(engine, "recent:", 200, RECENT, messages_each=2)
    store = ConversationStore(session_factory(engine))
    store.record_miss("quoi ?", [], IDLE)
    store.record_miss("hein ?", [], RECENT)

    assert store.purge(CUTOFF) == MANY + 300

    assert _count(engine, Conversation) == _count(engine, Conversation, Conversation.sender_id.startswith("recent:"))
    assert _count(engine, Conversation) == 200
    assert _count(engine, Message) == 400 and _count(engine, Message, Message.created_at < CUTOFF) == 0
    assert [text for (text,) in session_factory(engine)().execute(select(NluMiss.text))] == ["hein ?"]
    assert store.transcript("recent:7") == [("in", "bonjour"), ("in", "bonjour")]
    assert store.purge(CUTOFF) == 0


def test_old_lines_of_a_conversation_still_going_are_forgotten_and_its_new_ones_kept(engine: Engine) -> None:
    add_conversations(engine, "going:", 3, IDLE, messages_each=2)
    with engine.begin() as connection:  # the chats came back since: new lines, a recent last turn
        connection.execute(update(Conversation).values(updated_at=RECENT))
    add_conversations(engine, "other:", 1, RECENT, messages_each=1)
    store = ConversationStore(session_factory(engine))

    assert store.purge(CUTOFF) == 0
    assert _count(engine, Conversation) == 4
    assert store.transcript("going:1") == [] and store.transcript("other:0") == [("in", "bonjour")]


def test_each_batch_is_a_transaction_of_its_own_and_together_they_delete_every_match(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'batches.db'}")
    migrate(engine)
    add_conversations(engine, "idle:", 30, IDLE, messages_each=1)
    add_conversations(engine, "recent:", 4, RECENT)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))

    deleted = delete_in_batches(session_factory(engine), Conversation, Conversation.updated_at < CUTOFF, batch=7)

    assert deleted == 30 and len(commits) >= 5  # 7 + 7 + 7 + 7 + 2: five batches at least, each committed
    assert _count(engine, Conversation) == 4 and _count(engine, Message) == 0
    engine.dispose()


@pytest.mark.postgres
def test_a_conversation_revived_while_the_purge_runs_stays(postgres: Postgres) -> None:
    """A turn saves the conversation between the batch's choice of rows and its delete: the delete leaves it."""
    engine = make_engine(postgres.url)
    migrate(engine)
    add_conversations(engine, "revived:", 1, IDLE, messages_each=1)
    store = ConversationStore(session_factory(engine))
    with engine.connect() as turn:
        turn.execute(update(Conversation).values(updated_at=RECENT))  # uncommitted: the purge waits
        purged: list[int] = []
        purge = Thread(target=lambda: purged.append(store.purge(CUTOFF)))
        purge.start()
        purge.join(timeout=1)
        assert purge.is_alive()  # blocked on the turn's row lock
        turn.commit()
    purge.join(timeout=30)
    assert purged == [0] and store.transcript("revived:0") == []  # the old line went, the conversation stayed
    with engine.begin() as connection:
        connection.execute(delete(Conversation))
    engine.dispose()


def test_the_labels_agents_gave_misses_go_with_the_transcripts(engine: Engine) -> None:
    store = ConversationStore(session_factory(engine))
    labels = NluLabelStore(session_factory(engine))
    store.record_miss("quoi ?", [], IDLE)
    store.record_miss("hein ?", [], RECENT)
    for item in labels.unlabelled(0.6, set(), 10):
        labels.label([item.key], "out_of_scope", "web-desk:agent", item.at, str.upper)
    assert sorted(text for text, _ in labels.labelled()) == ["HEIN ?", "QUOI ?"]

    store.purge(CUTOFF)

    assert labels.labelled() == [("HEIN ?", "out_of_scope")]
    with engine.begin() as connection:
        connection.execute(delete(NluLabel))
