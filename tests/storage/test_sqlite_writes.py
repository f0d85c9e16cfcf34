"""The SQLite write queue: writers of threads and processes take turns, a transaction however it ends gives its
place back, reads never wait for it, and a place held too long fails as a locked database."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from bot.storage import sqlite_writes
from bot.storage.db import make_engine
from bot.storage.sqlite_writes import WriteQueue

HOLDER = """
import sys, time
from sqlalchemy import text
from bot.storage.db import make_engine
with make_engine(sys.argv[1]).begin() as connection:
    connection.execute(text("INSERT INTO notes (body) VALUES ('other process')"))
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer gives up after a fifth of a second instead of 30 s: a place never given back fails the test fast."""
    monkeypatch.setattr(sqlite_writes, "WRITE_WAIT_SECONDS", 0.2)


def notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT body FROM notes ORDER BY id"))]


def write(engine: Engine, body: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})


def holding_in_thread(engine: Engine, release: threading.Event) -> threading.Thread:
    """A thread whose transaction has written and waits for `release` before it commits."""
    written = threading.Event()

    def hold() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES ('held')"))
            written.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert written.wait(10)
    return thread


def test_many_threads_writing_at_once_all_land(engine: Engine) -> None:
    bodies = [f"thread {t} note {n}" for t in range(16) for n in range(10)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda body: write(engine, body), bodies))
    assert sorted(notes(engine)) == sorted(bodies)


def test_a_writer_waits_for_the_transaction_before_it_then_writes(engine: Engine) -> None:
    release = threading.Event()
    holder = holding_in_thread(engine, release)
    second = threading.Thread(target=write, args=(engine, "second"))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # queued behind the open transaction
    release.set()
    holder.join(10)
    second.join(10)
    assert notes(engine) == ["held", "second"]


@pytest.mark.usefixtures("short_wait")
def test_reads_do_not_wait_for_the_writers_place(engine: Engine) -> None:
    release = threading.Event()
    holder = holding_in_thread(engine, release)
    try:
        assert notes(engine) == []  # the held write is not committed yet, and the read did not queue
    finally:
        release.set()
        holder.join(10)
    assert notes(engine) == ["held"]


@pytest.mark.usefixtures("short_wait")
def test_a_place_held_past_the_wait_fails_as_a_locked_database(engine: Engine) -> None:
    release = threading.Event()
    holder = holding_in_thread(engine, release)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            write(engine, "too late")
    finally:
        release.set()
        holder.join(10)
    write(engine, "after")
    assert notes(engine) == ["held", "after"]


def write_from_another_thread(engine: Engine, body: str) -> list[BaseException]:
    """Write `body` from another thread on another connection than the pool's last one (which a leaked place would
    let through); the errors it met."""
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with engine.connect() as pooled:
                pooled.execute(text("SELECT 1"))
                write(engine, body)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(10)
    return errors


@pytest.mark.usefixtures("short_wait")
def test_a_rolled_back_transaction_gives_its_place_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('undone')"))
        raise RuntimeError("the turn failed")
    assert write_from_another_thread(engine, "next") == []
    assert notes(engine) == ["next"]


@pytest.mark.usefixtures("short_wait")
@pytest.mark.parametrize("invalidated", [False, True], ids=["returned to the pool", "invalidated first"])
def test_a_connection_ended_without_commit_gives_its_place_back(engine: Engine, invalidated: bool) -> None:
    connection = engine.connect()
    connection.execute(text("INSERT INTO notes (body) VALUES ('never committed')"))
    if invalidated:
        connection.invalidate()  # closed without a rollback, as after an error that ends a connection
    connection.close()  # else the pool rolls it back
    assert write_from_another_thread(engine, "next") == []
    assert notes(engine) == ["next"]


@pytest.mark.usefixtures("short_wait")
def test_a_commit_gives_the_place_back_while_its_connection_stays_open(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        connection.commit()
        assert write_from_another_thread(engine, "second") == []
    assert notes(engine) == ["first", "second"]


def test_a_thread_holding_the_place_does_not_queue_behind_itself(tmp_path: Path) -> None:
    queue = WriteQueue(tmp_path / "db")
    assert queue.take() is True
    assert queue.take() is False  # its second connection goes to SQLite, which answers as without the queue
    queue.give_back()
    assert queue.take() is True
    queue.give_back()
    queue.close()


def test_a_writer_of_another_process_is_waited_for(engine: Engine, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, "0.5"], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        write(engine, "this process")
    finally:
        assert holder.wait(30) == 0
    assert notes(engine) == ["other process", "this process"]


def test_a_folder_where_no_lock_file_can_be_made_leaves_writes_to_sqlite(tmp_path: Path) -> None:
    queue = WriteQueue(tmp_path / "missing-folder" / "db")
    assert queue.take() is False


def test_one_file_has_one_queue_in_a_process_however_it_is_named(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    queue = WriteQueue.of(tmp_path / "one.db")
    assert WriteQueue.of(tmp_path / "sub" / ".." / "one.db") is queue  # a record lock is the process's
    assert WriteQueue.of(tmp_path / "other.db") is not queue


def test_two_engines_on_one_file_queue_their_writers_together(engine: Engine, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    release = threading.Event()
    holder = holding_in_thread(engine, release)
    second = threading.Thread(target=write, args=(other, "through the other engine"))
    second.start()
    second.join(0.3)
    assert second.is_alive()
    release.set()
    holder.join(10)
    second.join(10)
    assert notes(engine) == ["held", "through the other engine"]
    other.dispose()
