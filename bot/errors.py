"""The errors a person can fix (bad config, data or state): shown as one line, never as a traceback."""

from __future__ import annotations

from bot.config import ConfigError
from bot.dialogue.domain import DomainError
from bot.dialogue.rules import RulesError
from bot.directory.fixture import FixtureError
from bot.directory.port import DirectoryError
from bot.knowledge import ArticleError
from bot.nlu.training_data import TrainingDataError
from bot.services.dashboard import FiltersRefused
from bot.storage.db import DatabaseUnavailable, NotMigrated

USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    DomainError,
    RulesError,
    FixtureError,
    DirectoryError,
    ArticleError,
    TrainingDataError,
    NotMigrated,
    DatabaseUnavailable,
    FiltersRefused,
)
