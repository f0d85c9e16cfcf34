"""Engine, sessions and migrations.

Alembic runs the migrations (`migrate`); the check every start makes (`ensure_migrated`) reads the stored revision
and the scripts' own `revision` lines without importing it (Alembic and what it imports were a tenth of the
start-up).
"""

from __future__ import annotations

import ast
import re
import select
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, CursorResult, Engine, Executable, Result, Row, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InternalError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.storage.sqlite_writes import WRITE_WAIT_SECONDS, WriteQueue

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


class NotMigrated(RuntimeError):
    """The database is missing tables or is behind the code's migrations."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened (server down, wrong host, unreadable file)."""


SQLITE_POOL = (16, 64)
"""Connections of a SQLite file kept open, and opened beyond them at most: more than the web channel's 32 turn
threads and the loop's pool use at once, so that a turn waits for the writer's place (`bot.storage.sqlite_writes`),
not for a connection; those beyond the first 16 (each with a page cache of its own) are closed when given back."""
SERVER_POOL = (32, 64)
"""The same for a database server: a server connection costs the server a process and a few milliseconds to open,
so they are kept (SQLAlchemy's default 5 made a busy instance open and close one every few turns)."""

UNAVAILABLE_ERRORS = (OperationalError, InternalError)
"""What a locked, read-only or unreachable database raises (PostgreSQL's read-only transaction is an InternalError)."""


def _reason(error: DBAPIError) -> str:
    """The driver's own first line, e.g. "connection refused" or "unable to open database file"."""
    lines = [line.strip() for line in str(error.orig).splitlines() if line.strip()]
    return lines[0] if lines else type(error.orig).__name__


@contextmanager
def reachable(engine: Engine) -> Iterator[None]:
    """Turn a failure to reach the database into `DatabaseUnavailable`, one line that hides the password."""
    try:
        yield
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"the database {where} cannot be reached: {_reason(exc)}") from None


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed.

    `Session.execute` is typed as returning a `Result`; for a data-changing statement it returns its
    `CursorResult` subclass, the one with `rowcount`.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of an UPDATE or DELETE: {type(result).__name__}")
    return int(result.rowcount or 0)


def make_engine(url: str, root: Path | None = None) -> Engine:
    """An engine; a relative SQLite path is resolved against `root` and its folder created."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        relative = url.removeprefix("sqlite:///")
        path = (root / relative) if root else Path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    json = {"json_serializer": json_text, "json_deserializer": orjson.loads}
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool, **json)
    elif url.startswith("sqlite"):
        writes = WriteQueue.of(Path(make_url(url).database or ""))
        connect_args = {"check_same_thread": False, "timeout": WRITE_WAIT_SECONDS, "factory": writes.connection_class()}
        engine = create_engine(
            url,
            connect_args=connect_args,
            pool_size=SQLITE_POOL[0],
            max_overflow=SQLITE_POOL[1] - SQLITE_POOL[0],
            **json,
        )
        writes.install(engine)
    else:
        engine = create_engine(url, pool_size=SERVER_POOL[0], max_overflow=SERVER_POOL[1] - SERVER_POOL[0], **json)
        event.listen(engine.pool, "checkout", _closed_by_server)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server closed while it sat idle (a restart, a terminated backend) is replaced before
    use. The server says so on the socket (a last message, then its end), so a look at whether the idle socket has
    anything to read tells, without the round trip of a ping on every checkout."""
    try:
        readable = select.select([dbapi_connection.fileno()], [], [], 0)[0]
    except (OSError, ValueError):  # a closed descriptor
        readable = [True]
    if readable:
        raise DisconnectionError("the server closed the connection while it was idle in the pool")


def json_text(value: Any) -> str:
    """A JSON column's text (orjson: a tracker is written on every turn, and the standard encoder was the larger
    part of that write)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine the sessions are bound to: the hot statements of a turn run on its Core connections."""
    engine: Engine = sessions.kw["bind"]
    return engine


_turn_connections = threading.local()  # inside `statements_together`: this thread's connection, by engine


@contextmanager
def statements_together(engine: Engine) -> Iterator[Connection]:
    """Within the block, this thread's standalone statements on `engine` (`one_statement`: a turn's reads, the rate
    limiter's counts, the inbox) share one pooled connection: a web turn makes four or five, each of which took a
    connection from the pool and gave it back. Each statement is still its own transaction, as outside the block.
    Blocks nest: an inner one uses the outer one's connection, which the block yields."""
    connections: dict[Engine, Connection] = _turn_connections.__dict__.setdefault("by_engine", {})
    if engine in connections:
        yield connections[engine]
        return
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        connections[engine] = connection
        try:
            yield connection
        finally:
            del connections[engine]


@contextmanager
def one_statement(sessions: sessionmaker[Session]) -> Iterator[Connection]:
    """A Core connection of the sessions' engine for statements that are each a transaction of their own (a read,
    an atomic upsert): the block's (`statements_together`), else one from the pool. On a database server they run
    in autocommit: one round trip each, where a transaction adds BEGIN and COMMIT (or the pool's ROLLBACK) around
    it. On SQLite, whose driver begins a transaction before a write only, what was written is committed at the
    end."""
    engine = engine_of(sessions)
    with statements_together(engine) as connection:
        try:
            yield connection
        except BaseException:
            connection.rollback()  # a failed statement (a lost connection) leaves the next one a usable connection
            raise
        if engine.dialect.name == "sqlite":
            connection.commit()


def read_row(sessions: sessionmaker[Session], statement: Executable, params: Mapping[str, Any]) -> Row[Any] | None:
    """The first row of a read a turn makes every time, on a Core connection (`one_statement`): a third of the
    cost of an ORM session around the same statement (the statement is built once by its store)."""
    with one_statement(sessions) as connection:
        return connection.execute(statement, params).first()


def read_rows(sessions: sessionmaker[Session], statement: Executable, params: Mapping[str, Any]) -> Sequence[Row[Any]]:
    """All the rows of such a read (see `read_row`)."""
    with one_statement(sessions) as connection:
        return connection.execute(statement, params).all()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> str:
    """Upgrade the database to the newest revision; returns that revision."""
    from alembic import command

    with reachable(engine):
        command.upgrade(_alembic_config(engine), "head")
    return head_revision()


def alembic_head() -> str:
    """The newest revision as Alembic finds it (it imports every script)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def head_revision() -> str:
    """The newest revision: the one no script names as its `down_revision`, read from the scripts' module-level
    assignments (parsing them as Python took longer than the rest of the check). Anything but one line of
    revisions (a branch, a merge, a value that is not a literal) is left to Alembic."""
    revisions: set[object] = set()
    parents: set[object] = set()
    try:
        for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
            values = _assignments(script, ("revision", "down_revision"))
            revisions.add(values.get("revision"))
            parents.add(values.get("down_revision"))
    except (ValueError, SyntaxError):
        return alembic_head()
    heads = revisions - parents
    if len(heads) == 1 and all(isinstance(r, str) for r in revisions | (parents - {None})):
        return str(heads.pop())
    return alembic_head()


_ASSIGNMENT = re.compile(r"^(?P<name>[a-z_]+)\s*(?::[^=\n]*)?=\s*(?P<value>.+?)\s*$", re.MULTILINE)


def _assignments(script: Path, names: tuple[str, ...]) -> dict[str, object]:
    """The literal values a script assigns to `names` at the start of a line (`revision = '0004'`, as Alembic's
    template writes them); a name assigned twice is an error."""
    found: dict[str, object] = {}
    for match in _ASSIGNMENT.finditer(script.read_text(encoding="utf-8")):
        name = match["name"]
        if name in names:
            if name in found:
                raise ValueError(f"{script.name}: {name} is assigned twice")
            found[name] = ast.literal_eval(match["value"])
    return found


def stored_revision(connection: Connection) -> str | None:
    """The revision the database is at, as Alembic stores it (none without its table or row)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ", ".join(sorted(str(r) for r in rows)) or None


def ensure_migrated(engine: Engine) -> None:
    """Refuse to run on a database the migrations have not brought up to date."""
    with reachable(engine), engine.connect() as connection:
        current = stored_revision(connection)
    if current != head_revision():
        state = "has no schema" if current is None else f"is at revision {current}"
        raise NotMigrated(
            f"the database {engine.url.render_as_string(hide_password=True)} {state}, "
            f"the code needs {head_revision()}: run `python -m bot migrate` (or `make run`)"
        )


PROBE_BUSY_MS = 2000
"""How long the health probe waits for a SQLite write lock before calling the database locked."""


def database_problem(engine: Engine) -> str | None:
    """None when the database takes writes now; else `unavailable`, `locked` or `read-only`.

    The probe writes (an update of the migration row that changes nothing, rolled back), because a
    read-only or locked database still answers reads while every turn fails.
    """
    try:
        with engine.connect() as connection:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {PROBE_BUSY_MS}")
            try:
                connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            finally:
                connection.rollback()
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited or 0)}")
                    connection.rollback()
    except DBAPIError as exc:
        reason = _reason(exc).lower()
        if "readonly" in reason or "read-only" in reason or "read only" in reason:
            return "read-only"
        if "locked" in reason or "busy" in reason:
            return "locked"
        return "unavailable"
    return None
