"""`python -m bot nlu-eval`: how good the intent classifier is, and how that holds under phone typing.

Prints, and writes as a Markdown report:
- stratified k-fold cross-validation on the training data: accuracy, macro-F1, per-intent F1, worst confusions;
- with `--heldout`, the held-out accuracy, and a robustness table: the same held-out utterances with accents
  dropped, typos, SMS spellings and capitals (bot/nlu/perturb.py), each accuracy and its drop in points;
- the confidence strategies (bot/nlu/confidence.py) measured on out-of-fold predictions: share answered and
  error rate among the answered, each at the loosest setting within `assistant.nlu.confidence_max_error`,
  with the fitted per-intent thresholds as a config.yml snippet;
- with `--review FILE` (a review file of `python -m bot export-training`; repeatable), the gain of teaching it: the
  held-out accuracy of a model trained without the file and of one trained with it (without `--review`, when
  review files were accepted, the gain of those over knowledge/nlu.yml alone); a review file that holds a
  held-out utterance is refused, since the gain would be measured on what it trained on;
- `study_options` (run by `bench/nlu.py --study`) compares the robustness options (spelling correction,
  augmentation) by cross-validation on test folds perturbed the same way: that is how the defaults of
  `TrainingOptions` were chosen.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from bot.config import AppConfig
from bot.nlu.augment import Augmentation
from bot.nlu.confidence import ConfidencePolicy, Coverage, Prediction, choose_parameter, compare
from bot.nlu.model import DEFAULT_OPTIONS, NluModel, TrainingOptions
from bot.nlu.perturb import PERTURBATIONS
from bot.nlu.training_data import Example, TrainingData, load_training_data, load_training_files

ROBUSTNESS_SEEDS = (0, 1, 2)  # random perturbations are averaged over these seeds
# the FAQ topics: their plain wordings must be answered, not met with "Vouliez-vous dire…"
FAQ_INTENTS = frozenset(
    {
        "ask_activation_howto",
        "vacation_freeze",
        "password_rules",
        "ask_ent_mail_address",
        "change_backup_email",
        "cesame_access",
        "ask_account_origin",
        "lost_provisional_credentials",
        "account_reset_done",
        "link_expired",
        "validation_mail_missing",
    }
)


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
    predictions: list[Prediction] = field(default_factory=list)  # out-of-fold, clean


@dataclass
class OutOfFold:
    labels: list[str]
    predictions: list[Prediction]
    perturbed: dict[str, list[str]]  # perturbation name -> out-of-fold predicted intents


@dataclass(frozen=True)
class RobustnessRow:
    name: str
    accuracy: float
    drop: float  # in points of accuracy, against the clean text


def _predict(model: NluModel, texts: Sequence[str]) -> list[tuple[str, float, float]]:
    rows = []
    for probabilities in model.probabilities(list(texts)):
        order = probabilities.argsort()[::-1]
        rows.append((model.intents[order[0]], float(probabilities[order[0]]), float(probabilities[order[1]])))
    return rows


def out_of_fold(
    data: TrainingData,
    folds: int = 5,
    kind: str = "logreg",
    seed: int = 7,
    options: TrainingOptions = DEFAULT_OPTIONS,
    perturbations: Iterable[str] = (),
) -> OutOfFold:
    """Predictions for every example by a model trained on the other folds; perturbed test folds too."""
    examples = data.examples
    labels = [e.intent for e in examples]
    names = list(perturbations)
    predictions: list[Prediction | None] = [None] * len(examples)
    perturbed = {name: [""] * len(examples) for name in names}
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(labels, labels):
        model = NluModel.train(TrainingData([examples[i] for i in train], data.synonyms), kind=kind, options=options)
        texts = [examples[i].text for i in test]
        for index, (intent, top1, top2) in zip(test, _predict(model, texts), strict=True):
            predictions[index] = Prediction(labels[index], intent, top1, top2)
        for name in names:
            noisy = [PERTURBATIONS[name](text, seed) for text in texts]
            for index, (intent, _, _) in zip(test, _predict(model, noisy), strict=True):
                perturbed[name][index] = intent
    return OutOfFold(labels, [p for p in predictions if p is not None], perturbed)


def cross_validate(
    data: TrainingData, folds: int = 5, kind: str = "logreg", seed: int = 7, options: TrainingOptions = DEFAULT_OPTIONS
) -> Evaluation:
    started = time.perf_counter()
    result = out_of_fold(data, folds, kind, seed, options)
    labels = result.labels
    predicted = [p.intent for p in result.predictions]
    intents = sorted(set(labels))
    per_intent = f1_score(labels, predicted, labels=intents, average=None)
    confusions = Counter((truth, guess) for truth, guess in zip(labels, predicted, strict=True) if truth != guess)
    return Evaluation(
        classifier=kind,
        accuracy=accuracy_score(labels, predicted),
        macro_f1=f1_score(labels, predicted, average="macro"),
        per_intent_f1={intent: float(score) for intent, score in zip(intents, per_intent, strict=True)},
        confusions=[(t, g, n) for (t, g), n in confusions.most_common(10)],
        seconds=time.perf_counter() - started,
        predictions=result.predictions,
    )


def score_heldout(
    data: TrainingData, heldout: TrainingData, kind: str, model: NluModel | None = None
) -> tuple[float, float]:
    model = model or NluModel.train(data, kind=kind)
    labels = [e.intent for e in heldout.examples]
    predicted = [intent for intent, _, _ in _predict(model, [e.text for e in heldout.examples])]
    return accuracy_score(labels, predicted), f1_score(labels, predicted, average="macro")


def robustness(
    model: NluModel, examples: Sequence[Example], seeds: Sequence[int] = ROBUSTNESS_SEEDS
) -> list[RobustnessRow]:
    """Accuracy on the utterances as typed, then under each perturbation (mean over the seeds), with the drop."""
    labels = [e.intent for e in examples]

    def accuracy(texts: list[str]) -> float:
        return accuracy_score(labels, [intent for intent, _, _ in _predict(model, texts)])

    clean = accuracy([e.text for e in examples])
    rows = [RobustnessRow("as typed", clean, 0.0)]
    for name, perturb in PERTURBATIONS.items():
        score = sum(accuracy([perturb(e.text, seed) for e in examples]) for seed in seeds) / len(seeds)
        rows.append(RobustnessRow(name, score, round((clean - score) * 100, 1) + 0.0))  # no "-0.0"
    return rows


@dataclass(frozen=True)
class Gain:
    """What teaching some examples changed on the held-out set (accuracy, macro-F1 before and after)."""

    examples: int
    before: tuple[float, float]
    after: tuple[float, float]
    taught_right_before: int  # of the taught examples, how many the model without them already classified right

    @property
    def points(self) -> float:
        return round((self.after[0] - self.before[0]) * 100, 1) + 0.0  # no "-0.0"


def combined(base: TrainingData, extra: TrainingData) -> TrainingData:
    return TrainingData(
        base.examples + extra.examples, {**base.synonyms, **extra.synonyms}, {**base.regexes, **extra.regexes}
    )


def teaching_gain(base: TrainingData, taught: TrainingData, heldout: TrainingData, kind: str = "logreg") -> Gain:
    """Held-out scores of a model trained on `base` and of one trained on `base` and `taught`."""
    before_model = NluModel.train(base, kind=kind)
    before = score_heldout(base, heldout, kind, before_model)
    texts = [e.text for e in taught.examples]
    guesses = [intent for intent, _, _ in _predict(before_model, texts)] if texts else []
    taught_right = sum(guess == e.intent for guess, e in zip(guesses, taught.examples, strict=True))
    after = score_heldout(combined(base, taught), heldout, kind)
    return Gain(len(taught.examples), before, after, taught_right)


_NOISY = Augmentation(typo_copies=2, sms_copies=True)
STUDY: dict[str, TrainingOptions] = {
    "plain": TrainingOptions(correct_spelling=False, augmentation=Augmentation()),
    "corrector (words of 4+ letters)": TrainingOptions(spelling_min_length=4, augmentation=Augmentation()),
    "corrector (3+ letters)": TrainingOptions(spelling_min_length=3, augmentation=Augmentation()),
    "augmentation (2 typo copies + SMS)": TrainingOptions(correct_spelling=False, augmentation=_NOISY),
    "corrector 4+ + augmentation": TrainingOptions(spelling_min_length=4, augmentation=_NOISY, copy_weight=1.0),
    "corrector 4+ + augmentation, copies weighted 0.5": TrainingOptions(spelling_min_length=4, augmentation=_NOISY),
    "corrector 3+ + augmentation, copies weighted 0.5 (default)": TrainingOptions(),
}


def study_options(data: TrainingData, folds: int, kind: str) -> list[tuple[str, float, dict[str, float]]]:
    """CV accuracy of each option set, clean and on test folds perturbed (seeded, different from training)."""
    rows = []
    for name, options in STUDY.items():
        result = out_of_fold(data, folds, kind, options=options, perturbations=PERTURBATIONS)
        clean = accuracy_score(result.labels, [p.intent for p in result.predictions])
        noisy = {n: accuracy_score(result.labels, guesses) for n, guesses in result.perturbed.items()}
        rows.append((name, clean, noisy))
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def report_markdown(
    evaluation: Evaluation,
    examples: int,
    folds: int,
    robustness_rows: Sequence[RobustnessRow] = (),
    confidence_rows: Sequence[Coverage] = (),
    per_intent: Mapping[str, float] | None = None,
    max_error: float | None = None,
    study: Sequence[tuple[str, float, dict[str, float]]] = (),
    gain: Gain | None = None,
    gain_of: str = "",
) -> str:
    lines = [
        f"# NLU evaluation ({evaluation.classifier})",
        "",
        f"{folds}-fold stratified cross-validation on {examples} examples ({evaluation.seconds:.1f} s).",
        "",
        f"- accuracy: **{evaluation.accuracy:.3f}**",
        f"- macro-F1: **{evaluation.macro_f1:.3f}**",
    ]
    if evaluation.heldout_accuracy is not None:
        lines.append(
            f"- held-out accuracy: **{evaluation.heldout_accuracy:.3f}**,"
            f" macro-F1 **{evaluation.heldout_macro_f1:.3f}**"
        )
    if gain is not None:
        lines += ["", f"## Gain of the taught examples ({gain_of})", ""]
        lines += _table(
            ["model", "held-out accuracy", "held-out macro-F1"],
            [
                [f"without the {gain.examples} taught examples", f"{gain.before[0]:.3f}", f"{gain.before[1]:.3f}"],
                ["with them", f"{gain.after[0]:.3f}", f"{gain.after[1]:.3f}"],
            ],
        )
        lines += [
            "",
            f"- gain: **{gain.points:+.1f} points** of held-out accuracy",
            f"- taught examples the model without them already classified right: {gain.taught_right_before}"
            f" of {gain.examples}",
        ]
    if robustness_rows:
        lines += ["", "## Robustness (held-out utterances, perturbed)", ""]
        lines += _table(
            ["perturbation", "accuracy", "drop (points)"],
            [[r.name, f"{r.accuracy:.3f}", f"{r.drop:+.1f}" if r.name != "as typed" else "–"] for r in robustness_rows],
        )
    if confidence_rows:
        lines += ["", f"## Confidence strategies (out-of-fold predictions, error rate at most {max_error:.0%})", ""]
        lines += _table(
            ["strategy", "setting", "answered", "error among answered", "FAQ topics answered"],
            [
                [
                    r.strategy,
                    r.setting,
                    f"{r.answered:.1%}",
                    f"{r.error:.1%}",
                    "–" if r.focus_answered is None else f"{r.focus_answered:.1%}",
                ]
                for r in confidence_rows
            ],
        )
    if per_intent:
        lines += ["", "Fitted per-intent thresholds (`assistant.nlu.per_intent_thresholds`):", "", "```yaml"]
        lines += ["per_intent_thresholds:"] + [f"  {name}: {value:.2f}" for name, value in sorted(per_intent.items())]
        lines += ["```"]
    if study:
        names = list(PERTURBATIONS)
        lines += ["", "## Robustness options (cross-validation, test folds perturbed)", ""]
        lines += _table(
            ["options", "clean", *names],
            [[name, f"{clean:.3f}", *(f"{noisy[n]:.3f}" for n in names)] for name, clean, noisy in study],
        )
    lines += ["", "## Per intent", ""]
    lines += _table(
        ["intent", "F1"], [[i, f"{s:.3f}"] for i, s in sorted(evaluation.per_intent_f1.items(), key=lambda p: p[1])]
    )
    lines += ["", "Worst confusions (true → predicted: count):", ""]
    lines += [f"- {t} → {g}: {n}" for t, g, n in evaluation.confusions] or ["- none"]
    return "\n".join(lines) + "\n"


def _gain_sets(
    files: Sequence[Path], accepted: Sequence[Path], reviews: Sequence[Path]
) -> tuple[TrainingData, TrainingData, str] | None:
    """The training set without the taught examples, the taught examples, and what they are; None: none taught.
    `files` are what `train` trains on (knowledge/nlu.yml first), `accepted` the review files among them."""
    given = {path.resolve() for path in reviews}
    if reviews:
        base = [path for path in files if path.resolve() not in given]
        return load_training_files(base), load_training_files(list(reviews)), ", ".join(p.name for p in reviews)
    if not accepted:
        return None
    return load_training_data(files[0]), load_training_files(list(accepted)), "the accepted review files"


def main(config: AppConfig, args: argparse.Namespace, files: Sequence[Path], accepted: Sequence[Path] = ()) -> int:
    """`files`: what `train` trains on (knowledge/nlu.yml first); `accepted`: the accepted review files among them."""
    from bot.nlu.review_file import heldout_in

    settings = config.assistant.nlu
    reviews = [Path(name) for name in getattr(args, "review", None) or []]
    heldout_path = args.heldout or (str(config.path(settings.heldout)) if reviews and settings.heldout else None)
    data = load_training_files(list(files))
    heldout = load_training_data(Path(heldout_path)) if heldout_path else None
    gain_sets = _gain_sets(files, accepted, reviews) if heldout is not None else None
    if gain_sets is not None and heldout is not None:
        leaked = heldout_in(gain_sets[1], heldout)
        if leaked:
            for example in leaked:
                print(f"error: {example.text!r} is a held-out utterance: the gain cannot be measured", file=sys.stderr)
            return 2
    evaluation = cross_validate(data, args.folds, args.classifier)
    robustness_rows: list[RobustnessRow] = []
    if heldout is not None:
        model = NluModel.train(data, kind=args.classifier)
        evaluation.heldout_accuracy, evaluation.heldout_macro_f1 = score_heldout(data, heldout, args.classifier, model)
        robustness_rows = robustness(model, heldout.examples)
    gain = teaching_gain(gain_sets[0], gain_sets[1], heldout, args.classifier) if gain_sets and heldout else None
    max_error = settings.confidence_max_error
    confidence_rows = compare(evaluation.predictions, max_error, ConfidencePolicy.from_settings(settings), FAQ_INTENTS)
    report = report_markdown(
        evaluation,
        len(data.examples),
        args.folds,
        robustness_rows,
        confidence_rows,
        choose_parameter("per_intent", evaluation.predictions, max_error).per_intent,
        max_error,
        gain=gain,
        gain_of=gain_sets[2] if gain_sets else "",
    )
    print(report)
    target = config.path(Path(args.report))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report, encoding="utf-8")
    print(f"report written to {args.report}")
    return 0
