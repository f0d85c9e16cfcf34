"""The dashboard's seeded database (tests/data/dashboard_seed.yml, with the demo directory for the schools' names)
and services on it, at the tests' clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import build_services
from bot.config import AppConfig
from bot.dashboard.labels import LABELS_FILE, DashboardLabels
from bot.services import Services
from bot.storage.db import make_engine
from tests.conftest import ROOT, SettableClock, migrated_database
from tests.support.dashboard_seed import seed_dashboard


@pytest.fixture
def seeded(config: AppConfig, clock: SettableClock, tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "clef.db"
    path.write_bytes(migrated_database(with_demo_directory=True))
    engine = make_engine(f"sqlite:///{path}")
    seed_dashboard(engine)
    engine.dispose()
    services = build_services(config, clock=clock, database_url=f"sqlite:///{path}")
    yield services
    services.database.dispose()


@pytest.fixture(scope="session")
def labels() -> DashboardLabels:
    return DashboardLabels.load(ROOT / LABELS_FILE)
