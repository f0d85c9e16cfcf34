"""What a user typed, read as an ENT identifier: one rule for the dialogue and the actions.

A tenant's own identifier format (the operator's `test14`, `f1abc`) is looser than `prenom.nom`, so a
word of that form that the redaction takes for a password (`Soleil2026!`) is never an identifier: it is
neither looked up nor repeated. `prenom.nom` is always an identifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.core.accounts import DEFAULT_LOGIN_PATTERNS, matches_login
from bot.core.redaction import contains_password

NOT_LOGIN_PARTS = frozenset(
    {
        "net",
        "fr",
        "com",
        "org",
        "eu",
        "io",
        "gouv",
        "html",
        "php",
        "www",
        "http",
        "https",
        "monlycee",
        "netocentre",
        "iledefrance",
        "lycees",
        "cesame",
        "ent",
        # a school named in two words ("lycee paris", "college voltaire") is not "prenom nom"
        "lycee",
        "college",
        "colleges",
        "ecole",
        "etablissement",
    }
)


def as_login(value: Any, patterns: Iterable[str]) -> str | None:
    """`Marie Dupont`, ` marie.dupont `, `TEST14` → `marie.dupont`, `test14`; None when it cannot be a login."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if " " in text and "." not in text and len(text.split()) == 2:
        text = ".".join(text.split())
    text = text.strip(" .,;!?()[]'\"")
    if set(text.rstrip("0123456789").split(".")) & NOT_LOGIN_PARTS:
        return None  # "monlycee.net", "lycees.netocentre.fr": names of the ENTs, not people
    if not matches_login(text, patterns):
        return None
    if not matches_login(text, DEFAULT_LOGIN_PATTERNS) and contains_password(value):
        return None
    return text


def is_strict_login(login: str) -> bool:
    """Whether `login` has the `prenom.nom` form (a looser tenant format may be a password typed by mistake)."""
    return matches_login(login, DEFAULT_LOGIN_PATTERNS)
