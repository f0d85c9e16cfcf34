"""`python -m bot nlu-eval`: stratified k-fold cross-validation of the intent classifier.

Prints accuracy, macro-F1, per-intent F1 and the worst confusion pairs, optionally scores a held-out
file, and writes the same as a Markdown report.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from bot.config import AppConfig
from bot.nlu.model import NluModel, build_classifier
from bot.nlu.normalise import normalise
from bot.nlu.training_data import TrainingData, load_training_data


@dataclass
class Evaluation:
    classifier: str
    accuracy: float
    macro_f1: float
    per_intent_f1: dict[str, float]
    confusions: list[tuple[str, str, int]]
    seconds: float
    heldout_accuracy: float | None = None
    heldout_macro_f1: float | None = None


def cross_validate(data: TrainingData, folds: int = 5, kind: str = "logreg", seed: int = 7) -> Evaluation:
    texts = [normalise(e.text) for e in data.examples]
    labels = [e.intent for e in data.examples]
    predicted = [""] * len(texts)
    started = time.perf_counter()
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, labels):
        model = build_classifier(kind).fit([texts[i] for i in train], [labels[i] for i in train])
        for index, guess in zip(test, model.predict([texts[i] for i in test])):
            predicted[index] = guess
    intents = sorted(set(labels))
    per_intent = f1_score(labels, predicted, labels=intents, average=None)
    confusions = Counter((truth, guess) for truth, guess in zip(labels, predicted) if truth != guess)
    return Evaluation(
        classifier=kind,
        accuracy=accuracy_score(labels, predicted),
        macro_f1=f1_score(labels, predicted, average="macro"),
        per_intent_f1={intent: float(score) for intent, score in zip(intents, per_intent)},
        confusions=[(t, g, n) for (t, g), n in confusions.most_common(10)],
        seconds=time.perf_counter() - started,
    )


def score_heldout(data: TrainingData, heldout: TrainingData, kind: str) -> tuple[float, float]:
    model = NluModel.train(data, kind=kind)
    labels = [e.intent for e in heldout.examples]
    predicted = [model.rank(e.text)[0][0] for e in heldout.examples]
    return accuracy_score(labels, predicted), f1_score(labels, predicted, average="macro")


def report_markdown(evaluation: Evaluation, examples: int, folds: int) -> str:
    lines = [
        f"# NLU evaluation ({evaluation.classifier})",
        "",
        f"{folds}-fold stratified cross-validation on {examples} examples ({evaluation.seconds:.1f} s).",
        "",
        f"- accuracy: **{evaluation.accuracy:.3f}**",
        f"- macro-F1: **{evaluation.macro_f1:.3f}**",
    ]
    if evaluation.heldout_accuracy is not None:
        lines.append(f"- held-out accuracy: **{evaluation.heldout_accuracy:.3f}**, macro-F1 **{evaluation.heldout_macro_f1:.3f}**")
    lines += ["", "| intent | F1 |", "| --- | --- |"]
    lines += [f"| {intent} | {score:.3f} |" for intent, score in sorted(evaluation.per_intent_f1.items(), key=lambda p: p[1])]
    lines += ["", "Worst confusions (true → predicted: count):", ""]
    lines += [f"- {t} → {g}: {n}" for t, g, n in evaluation.confusions] or ["- none"]
    return "\n".join(lines) + "\n"


def main(config: AppConfig, args: argparse.Namespace) -> int:
    data = load_training_data(config.path(Path("knowledge/nlu.yml")))
    evaluation = cross_validate(data, args.folds, args.classifier)
    if args.heldout:
        evaluation.heldout_accuracy, evaluation.heldout_macro_f1 = score_heldout(
            data, load_training_data(Path(args.heldout)), args.classifier
        )
    report = report_markdown(evaluation, len(data.examples), args.folds)
    print(report)
    target = config.path(Path(args.report))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report, encoding="utf-8")
    print(f"report written to {args.report}")
    return 0
