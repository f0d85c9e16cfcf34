"""The texts of `knowledge/messages.yml`: pieces of replies built from data, and messages sent outside a turn."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.placeholders import fill
from bot.yaml_files import read_yaml

MESSAGES = PROJECT_ROOT / "knowledge" / "messages.yml"


class MessagesError(ValueError):
    """messages.yml cannot be used."""


@cache
def _messages(path: Path = MESSAGES) -> dict[str, str]:
    raw = read_yaml(path, MessagesError)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise MessagesError(f"{path.name}: expected a mapping of names to texts")
    return {str(k): v for k, v in raw.items()}


def text(name: str, **values: Any) -> str:
    """The message `name` with its placeholders filled; a missing name is an error at the first use."""
    try:
        template = _messages()[name]
    except KeyError:
        raise MessagesError(f"messages.yml has no {name!r}") from None
    return fill(template, values)


def has(name: str) -> bool:
    """Whether messages.yml has a text `name` (a per-tenant text falls back on the shared one without it)."""
    return name in _messages()
