"""The trained intent classifier at inference, in NumPy alone: the TF-IDF features and the logistic regression of
the scikit-learn pipeline `bot.nlu.model.build_classifier("logreg")` fits, read out of it once trained.

The cached model holds this instead of the pipeline, so that answering never imports scikit-learn nor SciPy
(more than half of the start-up's imports and of the memory before the first message). It computes what the
pipeline computes, step by step and in the same order, so that its probabilities are the pipeline's
(tests/nlu/test_linear.py compares them): scikit-learn's analyzers (`char_wb` and `word` n-grams of the
lower-cased text), the counts in ascending column order, `1 + log(count)`, times the idf, each vectoriser's row
scaled to unit length (its squares summed in column order), then the union's columns dotted with the
coefficients in that order, the intercepts added, and the softmax.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")
ANALYZERS = ("char_wb", "word")


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` n-grams: within each word padded with one space each side, a short word once."""
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[:n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams: the tokens (when `low` is 1), then the longer n-grams, shortest first."""
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class TfidfFeatures:
    """One fitted `TfidfVectorizer` (lower-casing, no stop words, l2 norm): its analyzer, vocabulary and idf."""

    analyzer: str
    ngram_range: tuple[int, int]
    token_pattern: re.Pattern[str]
    sublinear_tf: bool
    vocabulary: dict[str, int]
    idf: np.ndarray

    @property
    def width(self) -> int:
        return len(self.idf)

    def terms(self, text: str) -> list[str]:
        lowered = text.lower()
        if self.analyzer == "char_wb":
            return char_wb_ngrams(lowered, *self.ngram_range)
        return word_ngrams(self.token_pattern.findall(lowered), *self.ngram_range)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's unit-length TF-IDF row: its columns, ascending, and their values."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for term in self.terms(text):
            column = vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.array(sorted(counts), dtype=np.intp)
        values = np.array([counts[c] for c in columns.tolist()], dtype=np.float64)
        if self.sublinear_tf:
            np.log(values, values)
            values += 1.0
        values *= self.idf[columns]
        if len(values):
            squares = np.add.accumulate(values * values)[-1]  # summed one after the other, as scikit-learn does
            if squares != 0.0:
                values /= math.sqrt(squares)
        return columns, values


@dataclass(frozen=True)
class LinearIntentClassifier:
    """TF-IDF features side by side, then a multinomial logistic regression: `predict_proba` as the pipeline's."""

    features: tuple[TfidfFeatures, ...]
    coefficients: np.ndarray  # (columns of the union, classes), one row a column
    intercept: np.ndarray
    classes_: np.ndarray

    def decision(self, text: str) -> np.ndarray:
        parts, offset = [], 0
        for features in self.features:
            columns, values = features.row(text)
            parts.append((columns + offset, values))
            offset += features.width
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        if not len(columns):
            return self.intercept.copy()
        weighted = self.coefficients[columns] * values[:, None]
        return np.add.reduce(weighted, axis=0) + self.intercept  # column after column, as SciPy's product

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        scores = np.array([self.decision(text) for text in texts], dtype=np.float64).reshape(len(texts), -1)
        scores -= np.max(scores, axis=1).reshape((-1, 1))
        np.exp(scores, out=scores)
        scores /= np.sum(scores, axis=1).reshape((-1, 1))
        return scores

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearIntentClassifier | None:
        """The fitted pipeline of `build_classifier("logreg")` at inference; None for one it cannot reproduce
        (another model, such as the calibrated SVM, or two classes only)."""
        union, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        if type(model).__name__ != "LogisticRegression" or len(model.classes_) < 3 or union.transformer_weights:
            return None
        features = [_features(vectorizer) for _, vectorizer in union.transformer_list]
        if any(f is None for f in features):
            return None
        return cls(
            features=tuple(f for f in features if f is not None),
            coefficients=np.ascontiguousarray(model.coef_.T, dtype=np.float64),
            intercept=np.array(model.intercept_, dtype=np.float64),
            classes_=model.classes_,
        )


def _features(vectorizer: Any) -> TfidfFeatures | None:
    """A fitted vectorizer's settings and tables, when they are ones `TfidfFeatures` reproduces."""
    reproducible = (
        type(vectorizer).__name__ == "TfidfVectorizer"
        and vectorizer.analyzer in ANALYZERS
        and vectorizer.input == "content"
        and vectorizer.lowercase
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and vectorizer.strip_accents is None
        and vectorizer.stop_words is None
        and not vectorizer.binary
        and vectorizer.norm == "l2"
        and vectorizer.use_idf
        and vectorizer.dtype in (np.float64, float)
    )
    if not reproducible:
        return None
    low, high = vectorizer.ngram_range
    return TfidfFeatures(
        analyzer=vectorizer.analyzer,
        ngram_range=(int(low), int(high)),
        token_pattern=re.compile(vectorizer.token_pattern),
        sublinear_tf=bool(vectorizer.sublinear_tf),
        vocabulary={str(term): int(column) for term, column in vectorizer.vocabulary_.items()},
        idf=np.array(vectorizer.idf_, dtype=np.float64),
    )
