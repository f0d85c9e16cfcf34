"""Alembic owns the schema; the app refuses an un-migrated database with a clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect

from bot.config import read_config_file
from bot.storage.db import (
    MIGRATIONS_DIR,
    NotMigrated,
    alembic_head,
    ensure_migrated,
    head_revision,
    make_engine,
    migrate,
)
from bot.storage.models import Base

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_create_every_model_table(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert migrate(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    ensure_migrated(engine)
    assert migrate(engine) == head_revision()  # idempotent


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(NotMigrated, match=r"has no schema.*python -m bot migrate"):
        ensure_migrated(engine)


def test_a_database_behind_the_code_is_refused_and_the_newest_revision_is_alembics(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    assert head_revision() == alembic_head()  # what the start checks without importing Alembic
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.downgrade(config, "-1")
    with engine.connect() as connection:
        behind = MigrationContext.configure(connection).get_current_revision()
    assert behind is not None and behind != head_revision()
    with pytest.raises(NotMigrated, match=rf"is at revision {behind}, the code needs {head_revision()}"):
        ensure_migrated(engine)


@pytest.mark.slow  # starts `python -m bot run`
def test_run_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    raw = read_config_file(ROOT / "config.yml")
    raw["storage"]["url"] = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    raw["web"]["port"] = 0
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "has no schema" in done.stderr and "python -m bot migrate" in done.stderr
