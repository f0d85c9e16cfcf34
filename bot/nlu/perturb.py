"""Perturbations of a French utterance, as phones and hurried users produce them.

Pure and deterministic: the same text and seed always give the same result. Used by `nlu-eval` to measure
how much accuracy each kind of noise costs, and by training-time augmentation (`bot.nlu.model`).

- `drop_accents`: é → e, ç → c, œ kept as is (case kept);
- `typos(text, every=8, seed)`: about one typo per `every` characters: a letter replaced by an AZERTY
  neighbour, deleted, doubled by a neighbour, or swapped with the next one;
- `sms(text)`: common French SMS spellings (je sais pas → jsp, c'est → c, quoi → koi, s'il vous plaît → svp…);
- `capitals(text, mode, seed)`: ALL CAPS (`upper`) or random capitalisation (`random`).

Entity-like tokens (prenom.nom identifiers, e-mails, school codes such as 0751234A, ticket numbers, any
token with a digit) are never changed: the noise is in the words, the data the user gives stays exact.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Iterator

# identifiers (any case), e-mail addresses, URLs and hosts, tokens holding a digit (UAI, ticket numbers, dates)
_PROTECTED = re.compile(
    r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|https?://\S+"
    r"|\b[a-zA-Z][a-zA-Z\-]*\.[a-zA-Z][a-zA-Z\-]*\d*\b"
    r"|#?\w*\d\w*"
)

_AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
_AZERTY_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_AZERTY_ROWS):
    for _col, _key in enumerate(_row):
        _near = [_row[c] for c in (_col - 1, _col + 1) if 0 <= c < len(_row)]
        for _other in (_row_index - 1, _row_index + 1):
            if 0 <= _other < len(_AZERTY_ROWS):
                _near += [
                    _AZERTY_ROWS[_other][c] for c in (_col - 1, _col, _col + 1) if 0 <= c < len(_AZERTY_ROWS[_other])
                ]
        _AZERTY_NEIGHBOURS[_key] = "".join(_near)

# longest phrases first: "je ne sais pas" before "pas", "s'il vous plaît" before "vous"
_SMS: list[tuple[str, str]] = [
    (r"je (?:ne )?sais pas", "jsp"),
    (r"je (?:ne )?peux pas", "jpp"),
    (r"s['’ ]il vous pla[iî]t", "svp"),
    (r"s['’ ]il te pla[iî]t", "stp"),
    (r"qu['’]est[- ]ce que", "keske"),
    (r"est[- ]ce que", "esk"),
    (r"mots? de passe", "mdp"),
    (r"parce que", "pcq"),
    (r"quelqu['’]un", "qqn"),
    (r"quelque chose", "qqch"),
    (r"aujourd['’]hui", "ajd"),
    (r"tout le monde", "tlm"),
    (r"d['’]accord", "dac"),
    (r"je suis", "chui"),
    (r"c['’]est", "c"),
    (r"j['’]ai", "g"),
    (r"j['’]arrive", "jarrive"),
    (r"pourquoi", "pk"),
    (r"quoi", "koi"),
    (r"beaucoup", "bcp"),
    (r"bonjour", "bjr"),
    (r"bonsoir", "bsr"),
    (r"salut", "slt"),
    (r"merci", "mrc"),
    (r"probl[eè]me", "pb"),
    (r"quand", "qd"),
    (r"maintenant", "mtn"),
    (r"toujours", "tjr"),
    (r"pendant", "pdt"),
    (r"comment", "cmt"),
    (r"message", "msg"),
    (r"identifiant", "id"),
    (r"pour", "pr"),
    (r"dans", "ds"),
    (r"vous", "vs"),
    (r"nous", "ns"),
    (r"tout", "tt"),
    (r"que", "ke"),
    (r"qui", "ki"),
]
_SMS_PATTERN = re.compile(r"\b(?:" + "|".join(f"({p})" for p, _ in _SMS) + r")\b", re.IGNORECASE)


def _segments(text: str) -> Iterator[tuple[str, bool]]:
    """The text cut into (segment, protected) pieces, in order; joined back they give the text."""
    cursor = 0
    for match in _PROTECTED.finditer(text):
        if match.start() > cursor:
            yield text[cursor : match.start()], False
        yield match.group(), True
        cursor = match.end()
    if cursor < len(text):
        yield text[cursor:], False


def _outside_entities(text: str, change: Callable[[str], str]) -> str:
    return "".join(segment if protected else change(segment) for segment, protected in _segments(text))


def drop_accents(text: str) -> str:
    """The text without diacritics (é → e, À → A), letter case kept."""

    def strip(segment: str) -> str:
        decomposed = unicodedata.normalize("NFD", segment)
        return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))

    return _outside_entities(text, strip)


def _neighbour(char: str, rng: random.Random) -> str:
    near = _AZERTY_NEIGHBOURS.get(char.lower())
    if not near:
        return char
    choice = rng.choice(near)
    return choice.upper() if char.isupper() else choice


def typos(text: str, every: int = 8, seed: int = 0) -> str:
    """About one typo per `every` characters (a random rounding of length / every), outside entity values."""
    rng = random.Random(f"{seed}:{every}:{text}")
    editable, free = _editable(text)
    if not editable:
        return text
    count = min(len(editable), int(free / every + rng.random()))  # one per `every` characters on average
    editable_set = set(editable)
    chars = list(text)
    for position in sorted(_apart(editable, count, rng), reverse=True):
        _typo(chars, position, editable_set, rng)
    return "".join(chars)


def _editable(text: str) -> tuple[list[int], int]:
    """The positions of the letters outside entity values, and how many characters lie outside them."""
    editable: list[int] = []
    free = 0
    cursor = 0
    for segment, protected in _segments(text):
        if not protected:
            editable += [cursor + i for i, c in enumerate(segment) if c.isalpha()]
            free += len(segment)
        cursor += len(segment)
    return editable, free


def _apart(editable: list[int], count: int, rng: random.Random) -> list[int]:
    """Up to `count` random positions two apart at least, so that one edit never lands on another."""
    chosen: list[int] = []
    for position in rng.sample(editable, len(editable)):
        if all(abs(position - other) > 1 for other in chosen):
            chosen.append(position)
        if len(chosen) == count:
            break
    return chosen


def _typo(chars: list[str], position: int, editable: set[int], rng: random.Random) -> None:
    """One random typo at `position`: a neighbour key, a deleted or inserted letter, or two letters swapped."""
    kind = rng.choice(("substitute", "delete", "insert", "transpose"))
    char = chars[position]
    if kind == "transpose" and position + 1 in editable and chars[position + 1] != char:
        chars[position], chars[position + 1] = chars[position + 1], char
    elif kind == "delete":
        del chars[position]
    elif kind == "insert":
        chars.insert(position + 1, _neighbour(char, rng))
    else:
        chars[position] = _neighbour(char, rng)


def sms(text: str) -> str:
    """Common French SMS spellings for the words and phrases that have one."""

    def shorten(segment: str) -> str:
        return _SMS_PATTERN.sub(lambda m: _SMS[m.lastindex - 1][1] if m.lastindex else m.group(), segment)

    return _outside_entities(text, shorten)


def capitals(text: str, mode: str = "upper", seed: int = 0) -> str:
    """`upper`: ALL CAPS; `random`: each letter upper case with probability 0.3 (entity values kept)."""
    if mode == "upper":
        return _outside_entities(text, str.upper)
    if mode != "random":
        raise ValueError(f"unknown capitals mode {mode!r} (upper or random)")
    rng = random.Random(f"{seed}:caps:{text}")
    return _outside_entities(text, lambda segment: "".join(c.upper() if rng.random() < 0.3 else c for c in segment))


PERTURBATIONS: dict[str, Callable[[str, int], str]] = {
    "accents dropped": lambda text, seed: drop_accents(text),
    "typos (1 per 8 chars)": lambda text, seed: typos(text, 8, seed),
    "SMS spellings": lambda text, seed: sms(text),
    "ALL CAPS": lambda text, seed: capitals(text, "upper", seed),
    "random capitals": lambda text, seed: capitals(text, "random", seed),
}
"""The perturbations `nlu-eval` reports, by name; each takes the text and a seed."""
