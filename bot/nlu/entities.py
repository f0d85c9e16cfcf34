"""Entity extraction with exact spans: regexes for identifiers, synonyms for profiles and ENTs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.accounts import LOGIN_PATTERN, matches_login
from bot.core.redaction import contains_password
from bot.nlu.normalise import fold

_EMAIL = re.compile(r"[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_TICKET = re.compile(
    r"(?:#\s?(\d{1,9})\b|\b(?:ticket|demande|dossier)\s*(?:n\s?[°o.]?\s*|numero\s*|num\s*)?(\d{1,9})\b)", re.I
)
_UAI = re.compile(r"\b(\d{7}[A-Za-z])\b")
_USERNAME = re.compile(rf"(?<![\w.@/\-])({LOGIN_PATTERN})(?![\w@/\-]|\.[a-z0-9])", re.I)
_NOT_LOGIN_PARTS = {"net", "fr", "com", "org", "eu", "io", "gouv", "html", "php", "www", "http", "https"}
_NOT_LOGIN_WORDS = {"monlycee", "netocentre", "iledefrance", "lycees", "cesame", "ent", "mon", "s.v.p"}
_CUED_TOKEN = re.compile(
    r"(?<![\w])(?:identifiants?|login|id|je\s+suis|c['’\s]?est|compte|marqu[ée]r?|[ée]crit|not[ée])(?![\w])"  # a cue
    r"(?:\s+(?:ent|netocentre|monlycee|mon\s*lycee(?:\.net)?|cesame))?"  # "identifiant netocentre test14"
    r"(?:\s+(?:est|c['’\s]?est|c))?\s*[:=]?\s*"  # "identifiant est", "login c'est", "id :"
    r"([^\s,;!?()\"'’«»]+)",
    re.I,
)
_PASSWORD_WORDS = re.compile(r"mot\s+de\s+passe|mdp|password|pass\b|passe\b|code", re.I)
_CLAUSE_END = re.compile(r"[.!?;,\n]|\bet\b", re.I)


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

    def extract(self, text: str, extra_login_patterns: Iterable[str] = ()) -> list[Entity]:
        """Entities of `text`, in order. `extra_login_patterns` (a tenant's own identifier formats, such as
        `test14`) give a `username` only for the word right after an identifier cue ("identifiant",
        "login", "id", "je suis", "c'est", "compte"), never in a clause about a password nor when the word
        itself looks like one to the redaction (`Soleil2024`): a bare `soleil2024` may be a password."""
        found = _Found()
        for match in _EMAIL.finditer(text):
            found.add("email", match.group(0).lower(), match.start(), match.end())
        for match in _TICKET.finditer(text):
            found.add("ticket_id", match.group(1) or match.group(2), match.start(), match.end())
        for match in _UAI.finditer(text):
            found.add("uai", match.group(1).upper(), match.start(1), match.end(1))
        _add_usernames(found, text)
        _add_cued_logins(found, text, tuple(extra_login_patterns))
        if self._lookup_re:
            for match in self._lookup_re.finditer(fold(text)):
                entity, value = self._lookup[match.group(1)]
                found.add(entity, value, match.start(1), match.end(1))
        return sorted(found.entities, key=lambda e: e.start)


class _Found:
    """Entities found so far; a span already taken by an earlier (stronger) entity is not taken again."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self._taken: list[tuple[int, int]] = []

    def add(self, entity: str, value: str, start: int, end: int) -> None:
        if all(end <= s or start >= e for s, e in self._taken):
            self.entities.append(Entity(entity, value, start, end))
            self._taken.append((start, end))


def _add_usernames(found: _Found, text: str) -> None:
    """Words in the shape of an identifier (`prenom.nom2`), unless made of words that are not names."""
    for match in _USERNAME.finditer(text):
        login = match.group(1).lower()
        parts = set(login.rstrip("0123456789").split("."))
        if parts & _NOT_LOGIN_PARTS or parts & _NOT_LOGIN_WORDS:
            continue
        found.add("username", login, match.start(1), match.end(1))


def _add_cued_logins(found: _Found, text: str, patterns: tuple[str, ...]) -> None:
    """Words in a tenant's own identifier formats, right after an identifier cue, that do not look like a password."""
    if not patterns:
        return
    for start, end in _cued_tokens(text):
        login = text[start:end].lower()
        if login.rstrip("0123456789") in _NOT_LOGIN_WORDS or contains_password(text[start:end]):
            continue
        if matches_login(login, patterns):
            found.add("username", login, start, end)


def _cued_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of the words right after an identifier cue, trailing dots dropped, outside password clauses
    (a clause runs from the last `.!?;,`, line break or "et" to the cue)."""
    clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
    password_ends = [m.end() for m in _PASSWORD_WORDS.finditer(text)]
    spans = []
    for match in _CUED_TOKEN.finditer(text):
        ended = bisect.bisect_right(clause_ends, match.start())
        clause_start = clause_ends[ended - 1] if ended else 0
        before = bisect.bisect_right(password_ends, match.start())
        if before and password_ends[before - 1] > clause_start:
            continue
        start, end = match.span(1)
        while end > start and text[end - 1] == ".":
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
