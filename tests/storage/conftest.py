"""Storage fixtures: a throw-away PostgreSQL server for the module that asks for one."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import Postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres(Path(tempfile.mkdtemp(prefix="clef-pg-")))
    server.start()
    yield server
    server.stop()
