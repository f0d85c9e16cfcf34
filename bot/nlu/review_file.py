"""The review file: the messages agents labelled, as Rasa 3 NLU training examples, for a person to read before
they train.

Pure: `choose_examples` decides which labelled messages may become examples (one each, never a held-out
utterance, never one the training data holds already, never two intents for one text), `render_review` writes
them as Rasa YAML (`nlu:` / `- intent:` / `examples: |`), the placeholders of `bot.core.anonymise` written as the
entities the training data annotates (`[prenom.nom](username)`, `[prenom.nom@example.org](email)`). The text is
read back with the project's own reader before it is returned: a text that would not come back as written is
an error, never a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.anonymise import EMAIL, LOGIN, has_content
from bot.nlu.normalise import normalise
from bot.nlu.training_data import Example, TrainingData, TrainingDataError, parse_training_data
from bot.yaml_files import safe_load

ENTITIES = ((EMAIL, "email"), (LOGIN, "username"))  # the longer first: an e-mail placeholder holds the login's


@dataclass(frozen=True)
class Labelled:
    """An anonymised message and the intent an agent gave it."""

    text: str
    intent: str


@dataclass
class Choice:
    """What `choose_examples` kept, and what it left out and why (normalised texts, for the report)."""

    examples: list[Labelled] = field(default_factory=list)
    heldout: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    empty: int = 0
    unknown_intent: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(example.intent for example in self.examples)


def choose_examples(
    labelled: Iterable[Labelled], intents: set[str], heldout: TrainingData, training: TrainingData
) -> Choice:
    """The examples the review file may hold: the labelled messages, once each, that say something beyond their
    placeholders, have a trainable intent, are not held-out utterances (the held-out set measures the gain: it is
    never trained on) and are not already in the training data; a text given two intents is left out."""
    choice = Choice()
    held = {normalise(e.text) for e in heldout.examples}
    trained = {normalise(e.text): e.intent for e in training.examples}
    by_text: dict[str, set[str]] = {}
    first: dict[str, Labelled] = {}
    for item in labelled:
        if not has_content(item.text):
            choice.empty += 1
            continue
        if item.intent not in intents:
            choice.unknown_intent.append(item.intent)
            continue
        key = normalise(item.text)
        by_text.setdefault(key, set()).add(item.intent)
        first.setdefault(key, item)
    for key, item in first.items():
        if key in held:
            choice.heldout.append(key)
        elif len(by_text[key]) > 1 or (key in trained and trained[key] != item.intent):
            choice.conflicts.append(key)
        elif key in trained:
            choice.known.append(key)
        else:
            choice.examples.append(item)
    return choice


def _annotated(text: str) -> str:
    """The placeholders of identifiers as Rasa entity annotations."""
    pieces = [text]
    for placeholder, entity in ENTITIES:
        pieces = [
            part
            for piece in pieces
            for part in (
                [piece]
                if piece.startswith("[")
                else _interleave(piece.split(placeholder), f"[{placeholder}]({entity})")
            )
        ]
    return "".join(pieces)


def _interleave(parts: list[str], mark: str) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(mark)
        if part:
            out.append(part)
    return out


def render_review(examples: Sequence[Labelled], header: Sequence[str]) -> str:
    """Rasa 3 YAML of `examples` grouped by intent (intents and texts sorted), `header` as comment lines."""
    lines = [f"# {line}".rstrip() for line in header] + ['version: "3.1"', "", "nlu:" if examples else "nlu: []"]
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example.text)
    for intent in sorted(by_intent):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {_annotated(text)}" for text in sorted(set(by_intent[intent]))]
    text = "\n".join(lines) + "\n"
    expected = sorted((e.intent, e.text) for e in {(x.intent, x.text): x for x in examples}.values())
    if sorted((e.intent, e.text) for e in read_review(text).examples) != expected:
        raise TrainingDataError("the review file would not read back as written")
    return text


def read_review(text: str) -> TrainingData:
    """A review file's examples, as the trainer reads them (an empty `nlu:` list is a file with nothing yet)."""
    return parse_training_data(safe_load(text), "review file")


def heldout_in(data: TrainingData, heldout: TrainingData) -> list[Example]:
    """The examples of `data` that are held-out utterances once normalised."""
    held = {normalise(e.text) for e in heldout.examples}
    return [e for e in data.examples if normalise(e.text) in held]
