"""When is the intent classifier sure enough to answer? One policy, three strategies, chosen by measurement.

- `absolute`: the top intent's probability is at least `threshold`;
- `margin`: the top intent's probability exceeds the second one's by at least `margin`;
- `per_intent`: the top intent's probability is at least that intent's own threshold (`per_intent`,
  fitted on cross-validated out-of-fold predictions by `fit_per_intent`; intents without one use `threshold`).

Button payloads (`/intent{...}`, confidence 1.0) are always confident. The dialogue asks
`ConfidencePolicy.from_settings(config.assistant.nlu).is_confident(parse)`; below it, it offers the likeliest
topics instead of answering. `python -m bot nlu-eval` measures every strategy on out-of-fold predictions (share
of utterances answered, error rate among the answered ones) and prints the fitted per-intent thresholds as
a `config.yml` snippet; `choose_parameter` picks, for a strategy, the loosest setting whose error rate among
answered utterances stays within `max_error` (for `per_intent`: the per-intent error bound, from 1 % to 20 %,
whose fitted thresholds answer the most while the overall error rate stays within `max_error`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

STRATEGIES = ("absolute", "margin", "per_intent")
GRID = tuple(round(0.05 + 0.01 * step, 2) for step in range(91))  # 0.05 … 0.95
PER_INTENT_FLOOR = 0.2  # no intent is answered below this, however clean its history


class _Settings(Protocol):
    """What the policy reads from the configuration (read-only: the settings are frozen)."""

    @property
    def confidence_strategy(self) -> str: ...
    @property
    def confidence_threshold(self) -> float: ...
    @property
    def confidence_margin(self) -> float: ...
    @property
    def per_intent_thresholds(self) -> Mapping[str, float]: ...


@dataclass(frozen=True)
class Prediction:
    """One out-of-fold prediction: the truth, the top intent and the two best probabilities."""

    truth: str
    intent: str
    top1: float
    top2: float


@dataclass(frozen=True)
class ConfidencePolicy:
    strategy: str = "absolute"
    threshold: float = 0.45
    margin: float = 0.1
    per_intent: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown confidence strategy {self.strategy!r} ({', '.join(STRATEGIES)})")

    @classmethod
    def from_settings(cls, settings: _Settings) -> ConfidencePolicy:
        return cls(
            settings.confidence_strategy,
            settings.confidence_threshold,
            settings.confidence_margin,
            dict(settings.per_intent_thresholds),
        )

    def accepts(self, intent: str, top1: float, top2: float) -> bool:
        if self.strategy == "absolute":
            return top1 >= self.threshold
        if self.strategy == "margin":
            return top1 - top2 >= self.margin
        return top1 >= self.per_intent.get(intent, self.threshold)

    def is_confident(self, parse: Mapping[str, Any]) -> bool:
        """Whether the assistant may act on the parse's top intent (a parse in Rasa's shape)."""
        intent = parse["intent"]
        top1 = float(intent["confidence"])
        if top1 >= 1.0:
            return True
        ranking = [r for r in parse.get("intent_ranking", []) if r["name"] != intent["name"]]
        top2 = float(ranking[0]["confidence"]) if ranking else 0.0
        return self.accepts(intent["name"], top1, top2)


@dataclass(frozen=True)
class Coverage:
    strategy: str
    setting: str
    answered: float  # share of utterances answered
    error: float  # error rate among the answered ones
    focus_answered: float | None = None  # share answered among the utterances of the focus intents


def coverage(policy: ConfidencePolicy, predictions: Sequence[Prediction]) -> tuple[float, float]:
    answered = [p for p in predictions if policy.accepts(p.intent, p.top1, p.top2)]
    if not answered:
        return 0.0, 0.0
    wrong = sum(p.intent != p.truth for p in answered)
    return len(answered) / len(predictions), wrong / len(answered)


def fit_per_intent(predictions: Sequence[Prediction], max_error: float) -> dict[str, float]:
    """For each predicted intent, the lowest threshold (≥ the floor) whose answered predictions err at most
    `max_error`."""
    thresholds: dict[str, float] = {}
    for intent in sorted({p.intent for p in predictions}):
        mine = [p for p in predictions if p.intent == intent]
        chosen = GRID[-1]
        for threshold in (t for t in GRID if t >= PER_INTENT_FLOOR):
            answered = [p for p in mine if p.top1 >= threshold]
            if answered and sum(p.intent != p.truth for p in answered) / len(answered) <= max_error:
                chosen = threshold
                break
        thresholds[intent] = chosen
    return thresholds


def choose_parameter(strategy: str, predictions: Sequence[Prediction], max_error: float) -> ConfidencePolicy:
    """The policy of that strategy answering the most utterances with an error rate at most `max_error`."""
    if strategy == "per_intent":
        # each intent may err a little more or less than the bound, as long as all together stay within it
        best = ConfidencePolicy("per_intent", per_intent=fit_per_intent(predictions, max_error))
        for target in (t / 100 for t in range(1, 21)):
            policy = ConfidencePolicy("per_intent", per_intent=fit_per_intent(predictions, target))
            answered, error = coverage(policy, predictions)
            if error <= max_error and answered > coverage(best, predictions)[0]:
                best = policy
        return best
    for value in GRID:  # answered shares only shrink along the grid: the first setting within bounds is the loosest
        policy = ConfidencePolicy(strategy, threshold=value, margin=value)
        if coverage(policy, predictions)[1] <= max_error:
            return policy
    return ConfidencePolicy(strategy, threshold=GRID[-1], margin=GRID[-1])


def describe(policy: ConfidencePolicy) -> str:
    if policy.strategy == "absolute":
        return f"threshold {policy.threshold:.2f}"
    if policy.strategy == "margin":
        return f"margin {policy.margin:.2f}"
    values = sorted(policy.per_intent.values())
    return f"{len(values)} thresholds, {values[0]:.2f}–{values[-1]:.2f}" if values else "no thresholds"


def compare(
    predictions: Sequence[Prediction],
    max_error: float,
    current: ConfidencePolicy | None = None,
    focus: frozenset[str] = frozenset(),
) -> list[Coverage]:
    """Each strategy at its chosen setting (and the configured policy, if given), measured on the predictions;
    with `focus`, also the share answered among the utterances whose true intent is one of those."""
    focused = [p for p in predictions if p.truth in focus]
    rows = []
    policies = [(s, choose_parameter(s, predictions, max_error)) for s in STRATEGIES]
    if current is not None:
        policies.append((f"{current.strategy} (configured)", current))
    for name, policy in policies:
        answered, error = coverage(policy, predictions)
        focus_answered = coverage(policy, focused)[0] if focused else None
        rows.append(Coverage(name, describe(policy), answered, error, focus_answered))
    return rows
