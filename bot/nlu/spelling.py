"""A fast spelling corrector: unknown words of normalised text brought back to the training vocabulary.

SymSpell-style: at training time every vocabulary word and the strings obtained by deleting one or two of
its letters are indexed; at parse time the deletions of an unknown word are looked up in that index, so
finding the candidates costs a few dictionary look-ups, not a scan of the vocabulary. A candidate is kept
when its optimal-string-alignment distance (substitution, deletion, insertion, transposition of two
neighbours) is at most 1 for words of `min_length` (3 in the model, chosen by cross-validation on typed test
folds; 4 by default here) to 7 letters and 2 for words of 8 letters or more; the nearest one wins, the most
frequent among equals. Shorter words, known words, words with a digit and placeholders (`xusername`, `xuai`…)
are never changed. Long typed forms that normalisation rewrites (`jactive` → `j active`) are targets too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.distance import edit_distance

PLACEHOLDERS = frozenset({"xusername", "xuai", "xticket", "xemail", "xprofile", "xtenant"})
MIN_LENGTH = 4
LONG_WORD = 8
ALIAS_MIN_LENGTH = (
    6  # "pauss" must not become the abbreviation "pass" (mot de passe): only long typed forms are aimed at
)


def max_distance(word: str, min_length: int = MIN_LENGTH) -> int:
    """How far a typed word may be from the word meant: 0 (never corrected), 1 or 2."""
    if len(word) < min_length:
        return 0
    return 1 if len(word) < LONG_WORD else 2


def deletions(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to `depth` of its letters."""
    found = {word}
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        found |= layer
    return found


@dataclass
class SpellingCorrector:
    frequencies: dict[str, int]
    index: dict[str, tuple[str, ...]]  # a deletion -> the vocabulary words it comes from
    aliases: dict[str, str]  # typed forms normalisation rewrites: a correction to one is written as rewritten
    min_length: int = MIN_LENGTH

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], aliases: Mapping[str, str] | None = None, min_length: int = MIN_LENGTH
    ) -> SpellingCorrector:
        """Built from normalised texts (what the classifier is trained on) and the rewritten typed forms."""
        frequencies = Counter(word for text in texts for word in text.split() if word.isalpha())
        known = {
            k: v
            for k, v in (aliases or {}).items()
            if k.isalpha() and len(k) >= ALIAS_MIN_LENGTH and k not in frequencies
        }
        for alias, target in known.items():
            frequencies[alias] = min((frequencies.get(w, 0) for w in target.split()), default=0) or 1
        index: dict[str, set[str]] = {}
        for word in frequencies:
            if len(word) < min_length - 1:
                continue
            depth = 2 if len(word) >= LONG_WORD - 2 else 1
            for deletion in deletions(word, depth):
                index.setdefault(deletion, set()).add(word)
        return cls(dict(frequencies), {key: tuple(sorted(words)) for key, words in index.items()}, known, min_length)

    def correct_word(self, word: str) -> str:
        limit = max_distance(word, self.min_length)
        if not limit or word in self.frequencies or word in PLACEHOLDERS or not word.isalpha():
            return self.aliases.get(word, word)
        candidates = {c for deletion in deletions(word, limit) for c in self.index.get(deletion, ())}
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            distance = edit_distance(word, candidate, limit)
            if distance <= limit:
                key = (distance, -self.frequencies[candidate], candidate)
                if best is None or key < best:
                    best = key
        return self.aliases.get(best[2], best[2]) if best else word

    def correct(self, normalised: str) -> str:
        """The normalised text with each unknown word replaced by its nearest vocabulary word, if any."""
        return " ".join(self.correct_word(word) for word in normalised.split())
