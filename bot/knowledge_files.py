"""Where the assistant's knowledge lives (overridable by tests): the files below `knowledge/`, and the NLU model
trained from them.

Apart from `bot.bootstrap` so that what needs only the model (`python -m bot parse`, `replay`) loads it without
importing the services, the storage and the dialogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import AppConfig
from bot.nlu.model import NluModel, load_or_train

KNOWLEDGE = Path("knowledge")


@dataclass(frozen=True)
class Knowledge:
    """Where the assistant's knowledge lives (overridable by tests): the files below `folder`."""

    folder: Path
    nlu: Path = field(init=False)
    domain: Path = field(init=False)
    rules: Path = field(init=False)
    articles: Path = field(init=False)
    understanding: Path = field(init=False)
    review: Path = field(init=False)
    """Where `export-training` writes the labelled misses for a person to read; never trained on."""
    accepted: Path = field(init=False)
    """The review files a person read and accepted (`accept-training`): trained on with nlu.yml."""

    def __post_init__(self) -> None:
        names = {"nlu": "nlu.yml", "domain": "domain.yml", "rules": "rules.yml", "understanding": "understanding.yml"}
        folders = {"articles": "articles", "review": "review", "accepted": "nlu-accepted"}
        for attribute, name in {**names, **folders}.items():
            object.__setattr__(self, attribute, self.folder / name)

    def accepted_files(self) -> list[Path]:
        return sorted(self.accepted.glob("*.yml")) if self.accepted.is_dir() else []

    def training_files(self) -> list[Path]:
        """nlu.yml, then the accepted review files in name order."""
        return [self.nlu, *self.accepted_files()]


def load_nlu(config: AppConfig) -> NluModel:
    """The model cached under `assistant.nlu.model_dir`, trained first when the cache is not of this data (nlu.yml and
    the accepted review files) and code."""
    knowledge = Knowledge(config.path(KNOWLEDGE))
    return load_or_train(knowledge.training_files(), config.path(config.assistant.nlu.model_dir))
