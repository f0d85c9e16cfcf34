"""Reads and validates Rasa 3 YAML training data (`knowledge/nlu.yml`)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.normalise import normalise
from bot.yaml_files import read_yaml


class TrainingDataError(ValueError):
    """The training data cannot be used; the message says where and why."""


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # folded variant -> value
    regexes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    def counts(self) -> Counter[str]:
        return Counter(e.intent for e in self.examples)


_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<spec>[^)]+)\)|(?P<json>\{[^}]*\}))")


def parse_example(line: str, intent: str) -> Example:
    """`je suis [prof]{"entity": "profile", "value": "teacher"}` → plain text and exact spans."""
    entities: list[EntitySpan] = []
    parts: list[str] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        parts.append(before)
        length += len(before)
        surface = match.group("text")
        if match.group("json"):
            try:
                spec = json.loads(match.group("json"))
            except json.JSONDecodeError:
                raise TrainingDataError(f"intent {intent}: bad entity JSON in {line!r}") from None
            name, value = spec.get("entity"), spec.get("value", surface)
        else:
            name, _, value = match.group("spec").partition(":")
            value = value or surface
        if not name:
            raise TrainingDataError(f"intent {intent}: entity without a name in {line!r}")
        entities.append(EntitySpan(str(name), str(value), length, length + len(surface)))
        parts.append(surface)
        length += len(surface)
        cursor = match.end()
    parts.append(line[cursor:])
    text = "".join(parts)
    if "[" in text and "](" in line[cursor:]:
        raise TrainingDataError(f"intent {intent}: unbalanced annotation in {line!r}")
    return Example(text=text, intent=intent, entities=tuple(entities))


def _items(block: Any) -> list[str]:
    if not isinstance(block, str):
        raise TrainingDataError("`examples` must be a block string of `- ` lines")
    lines = []
    for raw in block.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        if not raw.startswith("- "):
            raise TrainingDataError(f"example line must start with '- ': {raw!r}")
        lines.append(raw[2:].strip())
    return lines


def parse_training_data(raw: Any, source: str = "nlu.yml") -> TrainingData:
    from bot.nlu.normalise import fold

    if not isinstance(raw, dict) or not isinstance(raw.get("nlu"), list):
        raise TrainingDataError(f"{source}: expected a mapping with an `nlu:` list")
    data = TrainingData()
    for index, item in enumerate(raw["nlu"]):
        if not isinstance(item, dict):
            raise TrainingDataError(f"{source}: nlu[{index}] is not a mapping")
        try:
            if "intent" in item:
                intent = str(item["intent"])
                data.examples.extend(parse_example(line, intent) for line in _items(item.get("examples")))
            elif "synonym" in item:
                for variant in _items(item.get("examples")):
                    data.synonyms[fold(variant)] = str(item["synonym"])
            elif "regex" in item:
                data.regexes.setdefault(str(item["regex"]), []).extend(_items(item.get("examples")))
            elif "lookup" in item:
                continue
            else:
                raise TrainingDataError("expected intent, synonym, regex or lookup")
        except TrainingDataError as exc:
            raise TrainingDataError(f"{source}: nlu[{index}]: {exc}") from None
    return data


def load_training_data(path: Path) -> TrainingData:
    raw = read_yaml(path, TrainingDataError)
    return parse_training_data(raw, path.name)


def load_training_files(paths: Sequence[Path]) -> TrainingData:
    """The examples, synonyms and regexes of several files as one training set (Rasa reads a data folder so)."""
    merged = TrainingData()
    for path in paths:
        data = load_training_data(path)
        merged.examples.extend(data.examples)
        merged.synonyms.update(data.synonyms)
        for name, patterns in data.regexes.items():
            merged.regexes.setdefault(name, []).extend(patterns)
    return merged


def validate(data: TrainingData, known_intents: set[str], min_examples: int = 40, max_ratio: float = 3.0) -> list[str]:
    """Every problem found, as one line each; an empty list means the data can be trained on."""
    problems: list[str] = []
    counts = data.counts()
    for intent in sorted(set(counts) - known_intents):
        problems.append(f"intent {intent!r} is not declared in domain.yml")
    seen: dict[str, str] = {}
    for example in data.examples:
        key = normalise(example.text)
        if key in seen:
            other = seen[key]
            where = f"in {other!r} and {example.intent!r}" if other != example.intent else f"twice in {other!r}"
            problems.append(f"duplicate example {example.text!r} {where}")
        seen[key] = example.intent
    if counts:
        for intent, count in sorted(counts.items()):
            if count < min_examples:
                problems.append(f"intent {intent!r} has {count} examples, at least {min_examples} are needed")
        largest, smallest = max(counts.values()), min(counts.values())
        if smallest and largest / smallest > max_ratio:
            problems.append(f"intents are unbalanced: {largest} examples for the largest, {smallest} for the smallest")
    return problems
