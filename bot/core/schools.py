"""Finding a school by what a user types: its name, perhaps its type and its town, with typos.

A query such as "lyc. paul eluard st denis" or "le LP du batiment" is folded (accents, case, apostrophes,
hyphens), stripped of stop words and split into *type words* and *significant tokens*. Type words
(lycée, LGT, LP, collège…) are soft: they never have to match, but agreeing on the level (lycée or collège)
lifts a school and contradicting it lowers one. Significant tokens are matched one to one against the
school's name tokens and its town's tokens, with an edit distance of at most 1 (2 from 8 letters; short
tokens exactly). Names from the netocentre directory ("LG-DE L'IROISE-ac-RENNES") lose their académie
suffix and their type prefix the same way.

Scores (higher is better): a name token found +2 (−0.5 an edit), a town token found +1 (−0.25 an edit),
a name token of the school the query does not mention −0.3, a town the query does not mention −0.25, a
query token found nowhere −1; the same level +0.5, the other level −1; each shared kind (general,
technological, vocational, polyvalent, agricultural) +0.25, only other kinds −0.5. A school is a match
when at least one name token is found and more name tokens are found than query tokens are left
unexplained, or when the query names only its town ("lycée de Brest": every school of Brest, scored by
their town and type only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.accounts import Establishment
from bot.core.distance import edit_distance
from bot.core.words import word_set

NAME_HIT = 2.0
NAME_EDIT = 0.5
CITY_HIT = 1.0
CITY_EDIT = 0.25
NAME_MISS = 0.3
CITY_MISS = 0.25
UNEXPLAINED = 1.0
LEVEL_AGREES = 0.5
LEVEL_CONFLICTS = 1.0
KIND_AGREES = 0.25
KIND_CONFLICTS = 0.5
CLEAR_MARGIN = 1.0
"""`is_clear_match`: how far the best school must be ahead of the second."""
MAX_QUERY_TOKENS = 12
"""Significant tokens of a query beyond these are ignored (a pasted paragraph is not a school name)."""

LEVELS = frozenset({"lycee", "college"})

TYPE_WORDS: dict[str, frozenset[str]] = {
    word: frozenset(features)
    for word, features in {
        "lycee": {"lycee"},
        "lycees": {"lycee"},
        "lyce": {"lycee"},
        "lyc": {"lycee"},
        "lg": {"lycee", "general"},
        "lgt": {"lycee", "general", "techno"},
        "lt": {"lycee", "techno"},
        "lpo": {"lycee", "polyvalent"},
        "lp": {"lycee", "pro"},
        "legta": {"lycee", "general", "techno", "agricole"},
        "lgta": {"lycee", "general", "techno", "agricole"},
        "lpa": {"lycee", "pro", "agricole"},
        "polyvalent": {"polyvalent"},
        "polyvalente": {"polyvalent"},
        "polyv": {"polyvalent"},
        "general": {"general"},
        "generale": {"general"},
        "gen": {"general"},
        "technologique": {"techno"},
        "techno": {"techno"},
        "technol": {"techno"},
        "tech": {"techno"},
        "professionnel": {"pro"},
        "professionnelle": {"pro"},
        "pro": {"pro"},
        "prof": {"pro"},
        "metiers": {"pro"},
        "metier": {"pro"},
        "agricole": {"agricole"},
        "agri": {"agricole"},
        "college": {"college"},
        "colleges": {"college"},
        "clg": {"college"},
        "coll": {"college"},
        "enseignement": set(),
        "etablissement": set(),
        "etab": set(),
    }.items()
}
_FUZZY_TYPE_WORDS = tuple(word for word in TYPE_WORDS if len(word) >= 5)


STOP_WORDS = word_set(
    "le la les de du des en sur et au aux un une dans chez pour par cedex je suis mon ma mes notre nos son sa ses "
    "est ce cet cette il elle qui que nom appelle ville commune fils fille enfant enfants bonjour merci svp stp"
)
"""Dropped from queries, names and towns (single letters such as l', d', à are dropped too)."""

ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints"}

_ACADEMY_SUFFIX = re.compile(r"\s*-\s*ac-[a-z]+(?:[\s-]+[a-z]+)*\s*$")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": "'", "‘": "'"})
_WORD = re.compile(r"[a-z0-9]+")
_NOT_IN_SKELETON = re.compile(r"[aeiouyc]+")


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed: "Lycée Œuvre" → "lycee oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class _Parsed:
    tokens: tuple[str, ...]
    features: frozenset[str]


def _words(text: str) -> list[str]:
    return [ABBREVIATIONS.get(word, word) for word in _WORD.findall(text)]


def _is_type(word: str, fuzzy: bool) -> frozenset[str] | None:
    if word in TYPE_WORDS:
        return TYPE_WORDS[word]
    if fuzzy and len(word) >= 5:
        for known in _FUZZY_TYPE_WORDS:
            if abs(len(known) - len(word)) <= 1 and edit_distance(word, known, 1) <= 1:
                return TYPE_WORDS[known]
    return None


def _parse(text: str, fuzzy_types: bool, digits: bool) -> _Parsed:
    folded = _ACADEMY_SUFFIX.sub("", fold(text))
    tokens: list[str] = []
    features: set[str] = set()
    for word in _words(folded):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if word.isdigit() and (not digits or len(word) >= 4):
            continue  # postal codes, CEDEX numbers
        found = _is_type(word, fuzzy_types)
        if found is not None:
            features |= found
            continue
        tokens.append(word)
    return _Parsed(tuple(tokens), frozenset(features))


@lru_cache(maxsize=4096)
def _name(name: str) -> _Parsed:
    return _parse(name, fuzzy_types=False, digits=True)


@lru_cache(maxsize=4096)
def _city(city: str | None) -> tuple[str, ...]:
    return _parse(city, fuzzy_types=False, digits=False).tokens if city else ()


def _query(query: str) -> _Parsed:
    parsed = _parse(query, fuzzy_types=True, digits=True)
    return _Parsed(parsed.tokens[:MAX_QUERY_TOKENS], parsed.features)


def query_tokens(query: str) -> list[str]:
    """The significant tokens of a query: folded, without stop words and type words."""
    return list(_query(query).tokens)


def search_skeletons(query: str) -> list[tuple[str, ...]]:
    """Components of loose substring filters (`*c1*c2*…*`), so that a directory can pre-select the schools
    whose name or town holds a token of the query despite accents and small typos: each token's consonants
    in order (vowels and `c`, which may carry a cedilla, are left out, so accents and vowel typos do not
    matter, nor a letter the user left out); from 3 consonants, one skeleton per consonant left out, so
    that one wrong or extra consonant still leaves a skeleton that matches. A pre-selection only:
    `school_matches` ranks what it selects."""
    skeletons: list[tuple[str, ...]] = []
    for token in query_tokens(query):
        consonants = tuple(_NOT_IN_SKELETON.sub("", token))
        candidates: list[tuple[str, ...]]
        if not consonants:
            candidates = [(token,)]
        elif len(consonants) < 3:
            candidates = [consonants]
        else:
            candidates = [consonants[:i] + consonants[i + 1 :] for i in range(len(consonants))]
        for candidate in candidates:
            if candidate not in skeletons:
                skeletons.append(candidate)
    return skeletons


def allowed_edits(a: str, b: str) -> int:
    """Edits tolerated between two tokens: none up to 3 letters, 1 up to 7, 2 from 8 (the shorter counts)."""
    shortest = min(len(a), len(b))
    if shortest <= 3:
        return 0
    return 1 if shortest < 8 else 2


def _distance(a: str, b: str) -> int | None:
    limit = allowed_edits(a, b)
    distance = 0 if a == b else edit_distance(a, b, limit)
    return distance if distance <= limit else None


@dataclass(frozen=True)
class SchoolMatch:
    """A school a query may mean; `unmatched` are the query's tokens found neither in its name nor town."""

    establishment: Establishment
    score: float
    unmatched: tuple[str, ...] = ()


def _score(query: _Parsed, establishment: Establishment) -> SchoolMatch | None:
    name = _name(establishment.name)
    city = _city(establishment.city)
    kinds = (("name", name.tokens, NAME_HIT, NAME_EDIT), ("city", city, CITY_HIT, CITY_EDIT))
    candidates = [
        (hit - edit * distance, qi, kind, ti)
        for qi, token in enumerate(query.tokens)
        for kind, targets, hit, edit in kinds
        for ti, target in enumerate(targets)
        if (distance := _distance(token, target)) is not None
    ]
    pairing = _pair(candidates)
    unmatched = tuple(token for qi, token in enumerate(query.tokens) if qi not in pairing.query_tokens)
    score = pairing.score
    if pairing.name_hits == 0:
        if not pairing.city_hits or unmatched:
            return None  # a school of the town the query names, and nothing else in the query
    elif pairing.name_hits <= len(unmatched):
        return None
    else:
        score -= NAME_MISS * (len(name.tokens) - pairing.name_hits)
        if city and not pairing.city_hits:
            score -= CITY_MISS
        score -= UNEXPLAINED * len(unmatched)
    score += _type_score(query.features, name.features)
    return SchoolMatch(establishment, round(score, 4), unmatched)


@dataclass
class _Pairing:
    """Query tokens paired one to one with name or town tokens, best pairs first."""

    score: float = 0.0
    name_hits: int = 0
    city_hits: int = 0
    query_tokens: set[int] = field(default_factory=set)


def _pair(candidates: list[tuple[float, int, str, int]]) -> _Pairing:
    """Greedy pairing of `(value, query token, "name" or "city", target token)` candidates, each token used once."""
    pairing = _Pairing()
    used: set[tuple[str, int]] = set()
    for value, qi, kind, ti in sorted(candidates, key=lambda c: (-c[0], c[1], c[2], c[3])):
        if qi in pairing.query_tokens or (kind, ti) in used:
            continue
        pairing.query_tokens.add(qi)
        used.add((kind, ti))
        pairing.score += value
        if kind == "name":
            pairing.name_hits += 1
        else:
            pairing.city_hits += 1
    return pairing


def _type_score(wanted: frozenset[str], offered: frozenset[str]) -> float:
    score = 0.0
    wanted_levels, offered_levels = wanted & LEVELS, offered & LEVELS
    if wanted_levels and offered_levels:
        score += LEVEL_AGREES if wanted_levels & offered_levels else -LEVEL_CONFLICTS
    wanted_kinds, offered_kinds = wanted - LEVELS, offered - LEVELS
    shared = wanted_kinds & offered_kinds
    if wanted_kinds and offered_kinds and not shared:
        score -= KIND_CONFLICTS  # LGT asked, a vocational lycée offered
    return score + KIND_AGREES * len(shared)


def school_matches(query: str, establishments: Iterable[Establishment]) -> list[SchoolMatch]:
    """The schools `query` may mean, best first (ties by name, then UAI); only real matches."""
    parsed = _query(query)
    if not parsed.tokens:
        return []
    found = [match for e in establishments if (match := _score(parsed, e)) is not None]
    return sorted(found, key=lambda m: (-m.score, fold(m.establishment.name), m.establishment.uai))


def is_clear_match(matches: list[SchoolMatch], margin: float = CLEAR_MARGIN) -> bool:
    """One school clearly ahead: everything the user typed was found in it, and the next school (if any)
    scores at least `margin` less. Otherwise the user should choose (or confirm)."""
    if not matches or matches[0].unmatched:
        return False
    return len(matches) == 1 or matches[0].score - matches[1].score >= margin


_SCHOOL_PHRASE = re.compile(
    r"\b((?:lyc[ée]e|lyc|lgt|lpo|lp|coll[èe]ge|clg|[ée]tablissement)\b[^,.;!?]{2,80})", re.IGNORECASE
)
_SCHOOL_AFTER_CEST = re.compile(
    r"\bc['’ ]?est\s+(?:le|la|l['’ ])\s*([^,.;!?]{2,80}?\s(?:de|d['’ ]|[àa])\s*[^,.;!?]{2,40})", re.IGNORECASE
)
"""A school named without its type, by name and town, after "c'est" ("c'est le paul bert de montreuil")."""
_CLAUSE_TAIL = re.compile(
    r"\s+(?:et|mais|je|j'|j’|on|nous|pour|car|donc|qui|que|il|elle|ils|elles|peut|peux|est|a-t-elle|a-t-il)\s.*$",
    re.IGNORECASE,
)


def school_phrase(text: str) -> str | None:
    """The words naming a school in a sentence ("lycée jean moulin à paris"), cut at the end of the clause."""
    match = _SCHOOL_PHRASE.search(text) or _SCHOOL_AFTER_CEST.search(text)
    return _CLAUSE_TAIL.sub("", match.group(1)).strip() if match else None
