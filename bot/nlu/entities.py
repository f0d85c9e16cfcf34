"""Entity extraction with exact spans: regexes for identifiers, synonyms for profiles and ENTs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.accounts import LOGIN_PATTERN
from bot.nlu.normalise import fold

_EMAIL = re.compile(r"[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_TICKET = re.compile(r"(?:#\s?(\d{1,9})\b|\b(?:ticket|demande|dossier)\s*(?:n\s?[°o.]?\s*|numero\s*|num\s*)?(\d{1,9})\b)", re.I)
_UAI = re.compile(r"\b(\d{7}[A-Za-z])\b")
_USERNAME = re.compile(rf"(?<![\w.@/\-])({LOGIN_PATTERN})(?![\w@/\-]|\.[a-z0-9])", re.I)
_NOT_LOGIN_PARTS = {"net", "fr", "com", "org", "eu", "io", "gouv", "html", "php", "www", "http", "https"}
_NOT_LOGIN_WORDS = {"monlycee", "netocentre", "iledefrance", "lycees", "cesame", "ent", "mon", "s.v.p"}


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"entity": self.entity, "value": self.value, "start": self.start, "end": self.end}


class EntityExtractor:
    """Finds `email`, `ticket_id`, `uai`, `username` by pattern and `profile`, `tenant` by lookup.

    `lookup` maps a folded surface form (e.g. "prof", "mon lycee.net") to (entity, value).
    """

    def __init__(self, lookup: dict[str, tuple[str, str]]) -> None:
        self._lookup = lookup
        variants = sorted(lookup, key=len, reverse=True)
        self._lookup_re = (
            re.compile(r"(?<![\w])(" + "|".join(re.escape(v) for v in variants) + r")(?![\w])") if variants else None
        )

    def extract(self, text: str) -> list[Entity]:
        found: list[Entity] = []
        taken: list[tuple[int, int]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken)

        def add(entity: str, value: str, start: int, end: int) -> None:
            if free(start, end):
                found.append(Entity(entity, value, start, end))
                taken.append((start, end))

        for match in _EMAIL.finditer(text):
            add("email", match.group(0).lower(), match.start(), match.end())
        for match in _TICKET.finditer(text):
            add("ticket_id", match.group(1) or match.group(2), match.start(), match.end())
        for match in _UAI.finditer(text):
            add("uai", match.group(1).upper(), match.start(1), match.end(1))
        for match in _USERNAME.finditer(text):
            login = match.group(1).lower()
            parts = set(login.rstrip("0123456789").split("."))
            if parts & _NOT_LOGIN_PARTS or parts & _NOT_LOGIN_WORDS:
                continue
            add("username", login, match.start(1), match.end(1))
        if self._lookup_re:
            for match in self._lookup_re.finditer(fold(text)):
                entity, value = self._lookup[match.group(1)]
                add(entity, value, match.start(1), match.end(1))
        return sorted(found, key=lambda e: e.start)
