"""The NLU model: trains from training data, caches itself under var/nlu, parses into Rasa's shape.

The cache is a pickle of the model, whose classifier is the trained pipeline read out into NumPy arrays and
dictionaries (bot/nlu/linear.py): it loads without scikit-learn or SciPy, which only training imports.

Made robust to phone typing (see `TrainingOptions`, chosen by `bench/nlu.py --study`): a spelling corrector
built from the training vocabulary (bot/nlu/spelling.py) and seeded noisy copies of the training examples
(bot/nlu/augment.py). When to trust the top intent is bot/nlu/confidence.py's business.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bot.nlu.augment import Augmentation, augment
from bot.nlu.entities import EntityExtractor
from bot.nlu.linear import LinearIntentClassifier
from bot.nlu.normalise import fold, normalise, spelling_aliases
from bot.nlu.spelling import SpellingCorrector
from bot.nlu.training_data import TrainingData, load_training_files

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_FORMAT = 5  # 5: the classifier at inference (bot/nlu/linear.py) instead of the scikit-learn pipeline
PROFILE_VALUES = {
    "student",
    "parent",
    "teacher",
    "staff",
    "ent_support",
    "cridf",
    "cridf_contractor",
    "school_contractor",
    "dsi_academique",
    "other",
}
_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_][a-z0-9_]*)(?P<json>\{.*\})?\s*$", re.S)


def build_classifier(kind: str = "logreg") -> Pipeline:
    """Character n-grams (typos) and word n-grams (meaning) feeding a linear model.

    `logreg` is the default; `svm` (calibrated linear SVM) is kept for comparison by `nlu-eval`. scikit-learn is
    imported here, for training only: a trained model answers without it (bot/nlu/linear.py).
    """
    from sklearn.base import ClassifierMixin
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[^ ]+")),
        ]
    )
    model: ClassifierMixin
    if kind == "logreg":
        model = LogisticRegression(C=20.0, max_iter=3000)
    elif kind == "svm":
        model = CalibratedClassifierCV(LinearSVC(C=0.5), cv=3)
    else:
        raise ValueError(f"unknown classifier {kind!r} (logreg or svm)")
    return Pipeline([("features", features), ("model", model)])


def entity_lookup(data: TrainingData) -> dict[str, tuple[str, str]]:
    """Surface forms of `profile` and `tenant`, from synonyms and from annotated examples."""
    lookup: dict[str, tuple[str, str]] = {}
    for example in data.examples:
        for span in example.entities:
            if span.entity in ("profile", "tenant"):
                lookup[fold(example.text[span.start : span.end])] = (span.entity, span.value)
    for variant, value in data.synonyms.items():
        if value in PROFILE_VALUES:
            lookup[variant] = ("profile", value)
        elif value in ("monlycee", "netocentre"):
            lookup[variant] = ("tenant", value)
    return lookup


CHOSEN_AUGMENTATION = Augmentation(typo_copies=2, sms_copies=True)


@dataclass(frozen=True)
class TrainingOptions:
    """How robust to phone typing the model is made; the defaults are the ones chosen by cross-validation."""

    correct_spelling: bool = True
    spelling_min_length: int = 3  # shorter words are never corrected (CV on typed folds: 3 beats 4)
    augmentation: Augmentation = CHOSEN_AUGMENTATION
    copy_weight: float = 0.5  # weight of an augmented copy in training, against 1 for a written example


DEFAULT_OPTIONS = TrainingOptions()


class IntentClassifier(Protocol):
    """What the model asks of its classifier: the `LinearIntentClassifier` of a logistic regression, or the
    scikit-learn pipeline itself for a classifier that one does not reproduce (the calibrated SVM)."""

    @property
    def classes_(self) -> Any: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class NluModel:
    classifier: IntentClassifier
    extractor: EntityExtractor
    intents: list[str]
    fingerprint: str
    corrector: SpellingCorrector | None = None

    @classmethod
    def train(
        cls, data: TrainingData, fingerprint: str = "", kind: str = "logreg", options: TrainingOptions = DEFAULT_OPTIONS
    ) -> NluModel:
        texts, labels = augment(
            [e.text for e in data.examples], [e.intent for e in data.examples], options.augmentation
        )
        corrector = (
            SpellingCorrector.from_texts(
                (normalise(e.text) for e in data.examples), spelling_aliases(), options.spelling_min_length
            )
            if options.correct_spelling
            else None
        )
        weights = [1.0] * len(data.examples) + [options.copy_weight] * (len(texts) - len(data.examples))
        pipeline = build_classifier(kind)
        pipeline.fit(texts, labels, model__sample_weight=weights)
        classifier: IntentClassifier = LinearIntentClassifier.from_pipeline(pipeline) or pipeline
        return cls(classifier, EntityExtractor(entity_lookup(data)), list(classifier.classes_), fingerprint, corrector)

    def features_text(self, text: str) -> str:
        """What the classifier sees: the normalised text, unknown words spelled as in the training data."""
        normalised = normalise(text)
        return self.corrector.correct(normalised) if self.corrector else normalised

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row of intent probabilities per text, columns in the order of `intents`."""
        return self.classifier.predict_proba([self.features_text(t) for t in texts])

    def rank(self, text: str) -> list[tuple[str, float]]:
        probabilities = self.probabilities([text])[0]
        ranking = sorted(zip(self.intents, probabilities, strict=True), key=lambda pair: -pair[1])
        return [(name, float(p)) for name, p in ranking]

    def parse(self, text: str) -> dict[str, Any]:
        """Rasa's /model/parse shape; a `/intent{"entity": "value"}` payload is taken as said."""
        payload = _PAYLOAD.match(text.strip())
        if payload:
            return _parse_payload(text, payload)
        ranking = self.rank(text) if normalise(text) else [("out_of_scope", 1.0)]
        top_name, top_confidence = ranking[0]
        return {
            "text": text,
            "intent": {"name": top_name, "confidence": round(top_confidence, 4)},
            "intent_ranking": [{"name": n, "confidence": round(c, 4)} for n, c in ranking[:10]],
            "entities": [e.as_dict() for e in self.extractor.extract(text)],
        }


def _plain_value(value: Any) -> bool:
    """Payload values are what buttons carry: short strings, small numbers; anything else is dropped."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return len(value) <= 200
    if isinstance(value, int):
        return -(2**31) < value < 2**31
    return isinstance(value, float) and abs(value) < 1e9


def _parse_payload(text: str, match: re.Match[str]) -> dict[str, Any]:
    entities: list[dict[str, Any]] = []
    if match.group("json"):
        try:
            values = json.loads(match.group("json"))
        except json.JSONDecodeError:
            values = {}
        if isinstance(values, dict):
            entities = [
                {"entity": str(k), "value": v, "start": 0, "end": 0}
                for k, v in values.items()
                if _plain_value(v) and isinstance(k, str) and len(k) <= 32
            ]
    intent = {"name": match.group("intent"), "confidence": 1.0}
    return {"text": text, "intent": intent, "intent_ranking": [intent], "entities": entities}


TrainingFiles = Path | Sequence[Path]
"""knowledge/nlu.yml, and the review files accepted beside it (`bot.knowledge_files.Knowledge.training_files`)."""


def _files(paths: TrainingFiles) -> list[Path]:
    return [paths] if isinstance(paths, Path) else list(paths)


def fingerprint_of(paths: TrainingFiles, kind: str = "logreg") -> str:
    files = _files(paths)
    digest = hashlib.sha256(files[0].read_bytes())
    for extra in files[1:]:  # nlu.yml alone keeps the fingerprint it always had
        digest.update(f"\0{extra.name}\0".encode() + extra.read_bytes())
    for module in (
        "normalise.py",
        "entities.py",
        "model.py",
        "linear.py",
        "training_data.py",
        "spelling.py",
        "augment.py",
        "perturb.py",
    ):
        digest.update((Path(__file__).parent / module).read_bytes())
    digest.update(f"{MODEL_FORMAT}:{kind}".encode())
    return digest.hexdigest()


def model_path(model_dir: Path) -> Path:
    return model_dir / "nlu-model.pkl"


def train_and_save(
    paths: TrainingFiles, model_dir: Path, kind: str = "logreg", options: TrainingOptions = DEFAULT_OPTIONS
) -> NluModel:
    """Train on the files (their examples together) and cache the model; `options` other than the defaults are for
    tests that need a model fast (the cache's fingerprint does not tell them apart)."""
    files = _files(paths)
    model = NluModel.train(load_training_files(files), fingerprint_of(files, kind), kind, options)
    model_dir.mkdir(parents=True, exist_ok=True)
    target = model_path(model_dir)
    temporary = target.with_suffix(".tmp")
    temporary.write_bytes(pickle.dumps(model))
    temporary.replace(target)
    return model


def load_or_train(paths: TrainingFiles, model_dir: Path) -> NluModel:
    """The cached model when it was trained from this very data and code, else a fresh one."""
    target = model_path(model_dir)
    expected = fingerprint_of(paths)
    if target.exists():
        try:
            with target.open("rb") as cached:  # read as it is unpickled: the file's bytes are never all in memory
                model = pickle.load(cached)
            if isinstance(model, NluModel) and model.fingerprint == expected:
                return model
        except Exception:  # a corrupt or incompatible cache is simply rebuilt
            pass
    return train_and_save(paths, model_dir)
