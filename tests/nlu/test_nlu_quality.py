"""The intent classifier keeps its measured quality: cross-validated on knowledge/nlu.yml and scored on
held-out examples (tests/data/nlu_heldout.yml) that it never trains on.

The floors are the levels reached when the data and the classifier were last tuned, minus a small
margin (0.01 for cross-validation, 0.03 for the held-out set): a change to the training data, the
normalisation or the classifier that makes things worse fails here. Raise them when quality improves.
Phone typing (bot/nlu/perturb.py) may cost at most 3 points of held-out accuracy per perturbation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.evaluate import Evaluation, cross_validate, robustness, score_heldout
from bot.nlu.model import NluModel
from bot.nlu.normalise import normalise
from bot.nlu.training_data import TrainingData, load_training_data, validate

pytestmark = pytest.mark.slow  # cross-validation: minutes

ROOT = Path(__file__).resolve().parents[2]
NLU = ROOT / "knowledge" / "nlu.yml"
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"

# Cross-validation on the training data itself: 0.960/0.961 once, 0.943/0.946 since the conversation rounds added
# examples the folds find confusable on purpose ("j'ai perdu mon mdp provisoire pour activer", "pk ça marchait pas cet
# été" beside "je n'arrive pas à me connecter"); the held-out set, written apart, stays at 0.995.
REACHED_CV_ACCURACY = 0.943
REACHED_CV_MACRO_F1 = 0.946
REACHED_HELDOUT_ACCURACY = 0.995
MAX_PERTURBATION_DROP_POINTS = 3.0


@pytest.fixture(scope="module")
def data() -> TrainingData:
    return load_training_data(NLU)


@pytest.fixture(scope="module")
def heldout() -> TrainingData:
    return load_training_data(HELDOUT)


@pytest.fixture(scope="module")
def model(data: TrainingData) -> NluModel:
    return NluModel.train(data)


@pytest.fixture(scope="module")
def evaluation(data: TrainingData) -> Evaluation:
    return cross_validate(data, folds=5, kind="logreg", seed=7)


def test_cross_validated_accuracy_and_macro_f1_stay_at_the_level_reached(evaluation: Evaluation) -> None:
    assert evaluation.accuracy >= REACHED_CV_ACCURACY - 0.01, evaluation.confusions
    assert evaluation.macro_f1 >= REACHED_CV_MACRO_F1 - 0.01, evaluation.per_intent_f1


def test_heldout_accuracy_stays_at_the_level_reached(
    data: TrainingData, heldout: TrainingData, model: NluModel
) -> None:
    accuracy, _ = score_heldout(data, heldout, "logreg", model)
    assert accuracy >= REACHED_HELDOUT_ACCURACY - 0.03


def test_each_perturbation_costs_at_most_three_points(heldout: TrainingData, model: NluModel) -> None:
    rows = robustness(model, heldout.examples)
    assert all(row.drop <= MAX_PERTURBATION_DROP_POINTS for row in rows), rows


def test_heldout_set_is_valid_and_never_seen_in_training(data: TrainingData, heldout: TrainingData) -> None:
    assert validate(heldout, set(data.intents), min_examples=8) == []
    assert set(heldout.intents) == set(data.intents)
    assert all(count == 8 for count in heldout.counts().values())
    trained = {normalise(e.text) for e in data.examples}
    seen = [e.text for e in heldout.examples if normalise(e.text) in trained]
    assert seen == [], f"held-out examples equal to training examples after normalisation: {seen}"
