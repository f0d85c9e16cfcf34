"""Word lists of the pure core's French text rules: how they are written, and the elisions they split off."""

from __future__ import annotations

import re

# a French elided article or pronoun at the start of a word: "l'élève", "j’ai", "qu'il"
ELISION = re.compile(r"(?i)^(?:[jnldmtsc]|qu)['’]")


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated list (long word lists read better as text)."""
    return frozenset(words.split())
