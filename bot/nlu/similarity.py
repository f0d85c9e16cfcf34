"""Messages grouped by similarity, so an agent labels a kind of message once rather than each one.

The similarity is the cosine of character n-gram TF-IDF vectors, the features the intent classifier reads first
(`bot.nlu.model.build_classifier`: `char_wb` 2–5 grams, sublinear term frequency, smooth idf), computed here with
NumPy and SciPy's sparse matrices on the classifier's normalised text (`bot.nlu.normalise.normalise`: lower case,
no accents, SMS spellings written out), so the desk imports no scikit-learn. The idf is counted over the training
examples as well as the texts grouped: over a handful of misses on one topic, the words they share would otherwise
weigh nothing. `bench/teach.py` measures it: 2,000 texts in about 0.6 s.

Grouping is *leader* clustering: texts are taken most frequent first (then in the order given: the desk gives the
newest first); each joins the first group whose leader is at least `threshold` similar, else leads a group of its
own. Texts equal once normalised always share a group. Deterministic, one pass, no chaining: a group holds
texts all close to one message, its leader, which the desk shows first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu.normalise import normalise

NGRAMS = (2, 5)
THRESHOLD = 0.6
"""Read off a dozen typical misses, the training examples as the idf's corpus (tests/nlu/test_similarity.py): at 0.4
« mon compte ent » joins « mon compte est bloqué » (0.45); at 0.6 « mdp perdu » and « j'ai perdu mon mot de passe »
(0.91) still meet, « compte bloqué » (0.93) and « mon compte est bloqué depuis hier » (0.71) join « mon compte est
bloqué », and « j'ai changé de lycée et plus rien ne marche » and « depuis que j'ai changé de lycée plus rien ne
marche » (0.86) meet."""


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


Frequencies = tuple[Counter[str], int]
"""In how many texts of a corpus each n-gram occurs, and how many texts it has."""


def document_frequencies(texts: Iterable[str]) -> Frequencies:
    """In how many of the (normalised) texts each n-gram occurs, and how many texts there are."""
    frequencies: Counter[str] = Counter()
    count = 0
    for text in texts:
        frequencies.update(set(char_ngrams(text)))
        count += 1
    return frequencies, count


def similarity_matrix(texts: Sequence[str], reference: Frequencies | None = None) -> np.ndarray:
    """Cosine similarities of the texts' n-gram TF-IDF vectors (smooth idf, sublinear tf, L2-normalised rows).
    The idf counts the texts themselves and `reference` (`document_frequencies` of a larger corpus, such as the
    training examples), so that a few texts on one topic do not make their shared words worthless. The vectors are
    a SciPy sparse matrix (SciPy comes with scikit-learn, and is imported on the first call only)."""
    from scipy.sparse import csr_matrix

    if not texts:
        return np.zeros((0, 0))
    counts = [char_ngrams(text) for text in texts]
    known, documents = reference or (Counter(), 0)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, grams in enumerate(counts):
        for gram, count in grams.items():
            rows.append(row)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
            values.append(1.0 + math.log(count))
    frequency = np.bincount(columns, minlength=len(vocabulary)) + np.array(
        [known[gram] for gram in vocabulary], dtype=float
    )
    idf = np.log((1 + len(texts) + documents) / (1 + frequency)) + 1.0
    weights = np.array(values) * idf[columns]
    matrix = csr_matrix((weights, (rows, columns)), shape=(len(texts), max(1, len(vocabulary))))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = csr_matrix(matrix.multiply(1.0 / np.where(norms == 0, 1.0, norms)[:, None]))
    return np.asarray((matrix @ matrix.T).toarray())


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


def group_texts(
    texts: Sequence[str], threshold: float = THRESHOLD, reference: Frequencies | None = None
) -> list[Group]:
    """The texts in groups of similar ones (leader clustering, see the module), the largest group first."""
    keys = [normalise(text) for text in texts]
    distinct: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        distinct.setdefault(key, []).append(index)
    order = sorted(distinct, key=lambda key: (-len(distinct[key]), distinct[key][0]))
    similarities = similarity_matrix(order, reference)
    leaders: list[int] = []  # positions in `order`
    members: dict[int, list[int]] = {}
    for position in range(len(order)):
        close = np.flatnonzero(similarities[position, leaders] >= threshold) if leaders else np.zeros(0, dtype=int)
        if len(close):
            leader = leaders[int(close[0])]
        else:
            leaders.append(position)
            members[position] = []
            leader = position
        members[leader].extend(distinct[order[position]])
    groups = [Group(tuple(members[lead])) for lead in leaders]
    return sorted(groups, key=lambda group: (-group.size, group.leader))
