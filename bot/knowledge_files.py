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

    def __post_init__(self) -> None:
        names = {"nlu": "nlu.yml", "domain": "domain.yml", "rules": "rules.yml", "understanding": "understanding.yml"}
        for attribute, name in {**names, "articles": "articles"}.items():
            object.__setattr__(self, attribute, self.folder / name)


def load_nlu(config: AppConfig) -> NluModel:
    """The model cached under `assistant.nlu.model_dir`, trained first when the cache is not of this data and code."""
    knowledge = Knowledge(config.path(KNOWLEDGE))
    return load_or_train(knowledge.nlu, config.path(config.assistant.nlu.model_dir))
