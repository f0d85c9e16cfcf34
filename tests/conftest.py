"""Shared fixtures: a migrated temporary database, a settable clock, services, the assistant.

The NLU model is trained once per session (cached under var/nlu like the real one, keyed by the
training data's fingerprint, so an unchanged nlu.yml is not trained twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from bot.bootstrap import build_assistant, build_services, load_nlu
from bot.config import AppConfig, load_config
from bot.directory.fixture import DirectoryFixture, load_fixture
from bot.directory.sql import SqlDirectory
from bot.logging_redaction import log_redaction_installed, uninstall_log_redaction
from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage, TurnResult
from bot.nlu.model import NluModel
from bot.services import Services
from bot.services.assistant import Assistant
from bot.storage.activation import ActivationStore
from bot.storage.db import make_engine, migrate, session_factory
from tests.support import machine_clock
from tests.support.cas_server import CasServer, start_cas_server
from tests.support.postgres import Postgres
from tests.support.processes import stop

# a fixed server secret for the keyed hashes of linking codes (tests never write var/secret.key)
os.environ.setdefault("CLEF_SECRET_KEY", "tests-only-secret-key-0123456789abcdef")
# CLEF_TEST_MACHINE_DATE=YYYY-MM-DD moves the machine's calendar here and in every Python subprocess (whose
# environment inherits the folder that applies it): no test may notice (see tests/support/machine_clock.py)
os.environ.update(machine_clock.child_env())
if os.environ.get(machine_clock.MACHINE_DATE):
    machine_clock.travel({machine_clock.MACHINE_DATE: os.environ[machine_clock.MACHINE_DATE]})

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# the instant every test starts at: a term-time Wednesday morning in Paris, outside any freeze window
TEST_START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


class SettableClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def config() -> AppConfig:
    return load_config(ROOT / "config.yml")


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CasServer]:
    """A real CAS 2/3 server on 127.0.0.1 (django-cas-server) with one test user, netocentre's attributes."""
    server = start_cas_server(tmp_path_factory.mktemp("cas-server"))
    yield server
    stop(server.process)


@pytest.fixture(scope="session")
def nlu(config: AppConfig) -> NluModel:
    return load_nlu(config)


@pytest.fixture(autouse=True)
def logging_as_found() -> Iterator[None]:
    """A test that runs `python -m bot`'s `main` in process configures logging for the process (a root handler,
    quieter loggers, the log redaction): all of it is put back after that test, so that what a test reads of the
    logs never depends on the order the tests run in."""
    installed = log_redaction_installed()
    handlers, root_level = list(logging.root.handlers), logging.root.level
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    if not installed and log_redaction_installed():
        uninstall_log_redaction()
    logging.root.handlers[:] = handlers
    logging.root.setLevel(root_level)
    for name, logger in _loggers():
        logger.setLevel(levels.get(name, logging.NOTSET))


def _loggers() -> list[tuple[str, logging.Logger]]:
    return [(n, lg) for n, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(TEST_START)


@cache
def demo_directory() -> DirectoryFixture:
    """The demo directory (knowledge/demo-directory.yml), parsed once per process (it is immutable)."""
    return load_fixture(ROOT / "knowledge" / "demo-directory.yml")


@cache
def migrated_database(with_demo_directory: bool = False) -> bytes:
    """A database the migrations brought up to date (empty, or holding the demo directory as the SQL directory
    loads it), made once per process and copied for each test: a test starts from these bytes, not from a
    migration run."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clef.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        if with_demo_directory:
            sessions = session_factory(engine)
            SqlDirectory(sessions, ActivationStore(sessions)).load_fixture(demo_directory())
        engine.dispose()
        return path.read_bytes()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    path = tmp_path / "clef.db"
    path.write_bytes(migrated_database())
    return f"sqlite:///{path}"


@pytest.fixture
def mailer(tmp_path: Path) -> CaptureMailer:
    return CaptureMailer(tmp_path / "outbox")


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A throw-away PostgreSQL server for the module's `postgres` tests (see tests/support/postgres.py)."""
    server = Postgres(Path(tempfile.mkdtemp(prefix="clef-pg-")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def services(config: AppConfig, clock: SettableClock, database_url: str, mailer: CaptureMailer) -> Iterator[Services]:
    # the demo directory, loaded into the SQL directory once per process
    Path(database_url.removeprefix("sqlite:///")).write_bytes(migrated_database(with_demo_directory=True))
    built = build_services(config, clock=clock, database_url=database_url, mailer=mailer)
    yield built
    built.database.dispose()


@pytest.fixture
def assistant(services: Services, nlu: NluModel) -> Assistant:
    return build_assistant(services, nlu)


class Chat:
    """A user's side of a conversation, as a test drives it."""

    def __init__(self, assistant: Assistant, sender: str) -> None:
        self.assistant = assistant
        self.sender = sender
        self.last: TurnResult | None = None

    def say(self, text: str) -> TurnResult:
        self.last = self.assistant.handle(InboundMessage(self.sender, text))
        return self.last

    def click(self, title: str) -> TurnResult:
        assert self.last is not None, "nothing to click yet"
        buttons = [b for m in self.last.messages for b in m.buttons]
        match = [b for b in buttons if b.title == title]
        assert match, f"no button {title!r}; the bot offered {[b.title for b in buttons]}"
        return self.say(match[0].payload)

    @property
    def text(self) -> str:
        assert self.last is not None
        return "\n".join(m.text for m in self.last.messages)


@pytest.fixture
def chat(assistant: Assistant) -> Chat:
    return Chat(assistant, "web:test-user")
