"""The core's memo caches are emptied before each test, so that every test runs the code it checks.

`schools` keeps the parsed form of each school name and town, `accounts` the compiled identifier patterns, per
process. A test that met a name already parsed by an earlier test would not parse it again; a mutation run
(`make mutation`) forks every mutant from a process whose caches the unmutated code filled.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core import accounts, schools


@pytest.fixture(autouse=True)
def _core_caches_emptied() -> Iterator[None]:
    for cached in (schools._name, schools._city, accounts._compiled):
        cached.cache_clear()
    yield
