"""Messages grouped by similarity, so an agent labels a kind of message once rather than each one.

The similarity is the cosine of character n-gram TF-IDF vectors, the features the intent classifier reads first
(`bot.nlu.model.build_classifier`: `char_wb` 2–5 grams, sublinear term frequency), computed here with NumPy alone
on the classifier's normalised text (`bot.nlu.normalise.normalise`: lower case, no accents, SMS spellings written
out), so the desk needs no scikit-learn. Grouping is *leader* clustering: texts are taken most frequent first (then
in the order given); each joins the first group whose leader is at least `threshold` similar, else leads a group of
its own. Texts equal once normalised always share a group. Deterministic, one pass, no chaining: a group holds
texts all close to one message, its leader, which the desk shows first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu.normalise import normalise

NGRAMS = (2, 5)
THRESHOLD = 0.6
"""Read off a dozen typical misses (tests/nlu/test_similarity.py): at 0.5 « mon compte ent » joins « mon compte est
bloqué » (0.52); at 0.6 « mdp perdu » and « j'ai perdu mon mot de passe » (0.88) still meet, and « compte bloqué »
(0.84) and « mon compte est bloqué depuis hier » (0.68) join « mon compte est bloqué »."""


def char_ngrams(text: str, sizes: tuple[int, int] = NGRAMS) -> Counter[str]:
    """The `char_wb` n-grams of a normalised text: each word padded with a space, as scikit-learn does."""
    grams: Counter[str] = Counter()
    for word in text.split():
        padded = f" {word} "
        for size in range(sizes[0], sizes[1] + 1):
            if len(padded) < size:
                break
            grams.update(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarities of the texts' n-gram TF-IDF vectors (smooth idf, sublinear tf, L2-normalised rows)."""
    counts = [char_ngrams(text) for text in texts]
    vocabulary: dict[str, int] = {}
    for grams in counts:
        for gram in grams:
            vocabulary.setdefault(gram, len(vocabulary))
    if not texts:
        return np.zeros((0, 0))
    matrix = np.zeros((len(texts), max(1, len(vocabulary))))
    for row, grams in enumerate(counts):
        for gram, count in grams.items():
            matrix[row, vocabulary[gram]] = 1.0 + math.log(count)
    documents = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(texts)) / (1 + documents)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix /= np.where(norms == 0, 1.0, norms)
    return matrix @ matrix.T


@dataclass(frozen=True)
class Group:
    """Indexes of the texts given, its leader first; `size` counts every text, repeats included."""

    members: tuple[int, ...]

    @property
    def leader(self) -> int:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)


def group_texts(texts: Sequence[str], threshold: float = THRESHOLD) -> list[Group]:
    """The texts in groups of similar ones (leader clustering, see the module), the largest group first."""
    keys = [normalise(text) for text in texts]
    distinct: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        distinct.setdefault(key, []).append(index)
    order = sorted(distinct, key=lambda key: (-len(distinct[key]), distinct[key][0]))
    similarities = similarity_matrix(order)
    leaders: list[int] = []  # positions in `order`
    members: dict[int, list[int]] = {}
    for position in range(len(order)):
        leader = next((lead for lead in leaders if similarities[lead, position] >= threshold), None)
        if leader is None:
            leaders.append(position)
            members[position] = []
            leader = position
        members[leader].extend(distinct[order[position]])
    groups = [Group(tuple(members[lead])) for lead in leaders]
    return sorted(groups, key=lambda group: (-group.size, group.leader))
