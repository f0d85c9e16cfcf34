"""Filling `{placeholders}` in knowledge texts (responses, articles, mails)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


class _KeepUnknown(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`text` with its placeholders filled from `values`; an unknown placeholder is left as written,
    so that a mistake shows instead of vanishing."""
    return string.Formatter().vformat(text, (), _KeepUnknown(values))
