"""The classifier the cached model answers with is the trained pipeline's, without scikit-learn."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pytest

from bot.config import AppConfig
from bot.nlu.linear import LinearIntentClassifier, char_wb_ngrams, word_ngrams
from bot.nlu.model import NluModel, build_classifier, model_path

ROOT = Path(__file__).resolve().parents[2]
TRAINING = {
    "greet": ["bonjour", "salut", "bonsoir à tous", "coucou", "bjr", "hello"],
    "password_rules": ["mot de passe trop court", "règles du mdp", "combien de caractères", "longueur mini mdp"],
    "link_expired": ["mon lien a expiré", "le lien ne marche plus", "lien périmé", "lien mort"],
    "goodbye": ["au revoir", "merci bye", "à plus", "bonne journée"],
}
# seen words, unseen ones, repeats, odd spacing and capitals, nothing at all
PROBES = [
    "bonjour",
    "BONJOUR  à   tous !!",
    "mon lien lien lien a expiré hier",
    "mdp\tperdu\n",
    "xyzzy qwerty",
    "é",
    "",
    "   ",
    "merci pour les règles du mot de passe, au revoir",
]


class _NamesRecorded(pickle.Unpickler):
    """Reads a pickle and records the packages of the classes and functions it names."""

    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file)
        self.packages: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.packages.add(module.split(".")[0])
        return super().find_class(module, name)


def fitted(kind: str = "logreg") -> Any:
    """The pipeline `kind`, fitted on a few examples."""
    pipeline = build_classifier(kind)
    texts = [text for examples in TRAINING.values() for text in examples]
    labels = [intent for intent, examples in TRAINING.items() for _ in examples]
    return pipeline.fit(texts, labels)


def test_its_probabilities_are_the_pipelines() -> None:
    pipeline = fitted()
    linear = LinearIntentClassifier.from_pipeline(pipeline)
    assert linear is not None
    assert list(linear.classes_) == list(pipeline.classes_)
    np.testing.assert_allclose(linear.predict_proba(PROBES), pipeline.predict_proba(PROBES), rtol=1e-12, atol=1e-15)
    one = np.vstack([linear.predict_proba([text]) for text in PROBES])
    np.testing.assert_allclose(one, pipeline.predict_proba(PROBES), rtol=1e-12, atol=1e-15)


def test_its_n_grams_are_scikit_learns() -> None:
    pipeline = fitted()
    char_analyzer = pipeline.named_steps["features"].transformer_list[0][1].build_analyzer()
    word_analyzer = pipeline.named_steps["features"].transformer_list[1][1].build_analyzer()
    for text in PROBES:
        assert char_wb_ngrams(text.lower(), 2, 5) == char_analyzer(text)
        assert word_ngrams(re.findall(r"[^ ]+", text.lower()), 1, 2) == word_analyzer(text)


def test_a_classifier_it_does_not_reproduce_stays_the_pipeline() -> None:
    assert LinearIntentClassifier.from_pipeline(fitted("svm")) is None
    two = build_classifier().fit(["bonjour", "salut", "au revoir", "bye"], ["greet", "greet", "bye", "bye"])
    assert LinearIntentClassifier.from_pipeline(two) is None


def test_the_cached_model_needs_neither_scikit_learn_nor_scipy(config: AppConfig, nlu: NluModel) -> None:
    """What the cache holds: a pickle that names no class of theirs (so that loading it does not import them)."""
    with model_path(config.path(config.assistant.nlu.model_dir)).open("rb") as cached:  # the session's model
        reader = _NamesRecorded(cached)
        assert reader.load().fingerprint == nlu.fingerprint
    assert "bot" in reader.packages and not reader.packages & {"sklearn", "scipy"}


@pytest.mark.slow  # starts a Python process
def test_the_cached_model_answers_without_importing_scikit_learn_or_scipy(nlu: NluModel) -> None:
    assert isinstance(nlu.classifier, LinearIntentClassifier)  # the session's model, cached under var/nlu
    script = (
        "import sys; from bot.config import load_config; from bot.bootstrap import load_nlu; "
        "model = load_nlu(load_config()); print(model.parse('mon lien a expiré')['intent']['name']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == [nlu.parse("mon lien a expiré")["intent"]["name"], "[]"]
