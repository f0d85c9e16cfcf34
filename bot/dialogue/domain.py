"""Reads `knowledge/domain.yml` (Rasa 3 format) and renders its responses per tenant.

Supported subset: intents, entities, slots (text, categorical, bool, float, any) with `from_entity`,
`from_intent` and `from_text` mappings and their `active_loop` / `requested_slot` conditions;
responses with `text`, `buttons` and slot `condition`s (Rasa's conditional response variations, used
here for per-tenant answers); `actions`; `forms` with `required_slots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.placeholders import fill
from bot.yaml_files import read_yaml


class DomainError(ValueError):
    """domain.yml cannot be used; the message names the key."""


@dataclass(frozen=True, slots=True)
class SlotMapping:
    """One way a slot is filled (`from_entity`, `from_intent`, `from_text`), under its conditions."""

    type: str
    entity: str | None = None
    intent: tuple[str, ...] = ()
    not_intent: tuple[str, ...] = ()
    value: Any = None
    active_loop: str | None = None
    requested_slot: str | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A slot of domain.yml: its type, its value before anything fills it, and the mappings that fill it."""

    name: str
    type: str
    initial_value: Any
    mappings: tuple[SlotMapping, ...]
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponseVariant:
    """One variation of a response: said when all its slot conditions hold (Rasa's conditional variations)."""

    text: str
    buttons: tuple[dict[str, str], ...]
    condition: tuple[tuple[str, Any], ...]  # (slot name, value) pairs, all must hold


@dataclass
class Domain:
    """domain.yml as read; `raw` keeps the file's mapping for what this reader does not model."""

    intents: list[str]
    entities: list[str]
    slots: dict[str, Slot]
    responses: dict[str, list[ResponseVariant]]
    actions: list[str]
    forms: dict[str, list[str]]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def as_rasa_dict(self) -> dict[str, Any]:
        """The domain as a Rasa server would send it to the action server."""
        return self.raw

    def render(self, name: str, slots: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first variant of response `name` whose conditions hold, with `{placeholders}` filled.

        Placeholders take `values` first (tenant facts, action arguments), then slots; an unknown
        placeholder is left as written so that a mistake shows instead of vanishing.
        """
        for variant in self.responses.get(name, []):
            if all(slots.get(slot) == expected for slot, expected in variant.condition):
                known = {**{k: v for k, v in slots.items() if v is not None}, **values}
                return {
                    "text": fill(variant.text, known),
                    "buttons": [{"title": fill(b["title"], known), "payload": b["payload"]} for b in variant.buttons],
                }
        return None


def _mapping(raw: dict[str, Any], where: str) -> SlotMapping:
    kind = raw.get("type")
    if kind not in ("from_entity", "from_intent", "from_text", "custom"):
        raise DomainError(f"{where}: mapping type {kind!r} is not supported")
    conditions = raw.get("conditions") or [{}]
    condition = conditions[0]

    def names(key: str) -> tuple[str, ...]:
        value = raw.get(key) or ()
        return tuple([value] if isinstance(value, str) else value)

    return SlotMapping(
        type=kind,
        entity=raw.get("entity"),
        intent=names("intent"),
        not_intent=names("not_intent"),
        value=raw.get("value"),
        active_loop=condition.get("active_loop"),
        requested_slot=condition.get("requested_slot"),
    )


def parse_domain(raw: Any, source: str = "domain.yml") -> Domain:
    if not isinstance(raw, dict):
        raise DomainError(f"{source}: expected a mapping")
    slots = _slots(raw, source)
    responses = {
        name: _variants(variants, f"{source}: responses.{name}")
        for name, variants in (raw.get("responses") or {}).items()
    }
    forms = {name: list((spec or {}).get("required_slots") or []) for name, spec in (raw.get("forms") or {}).items()}
    for form, required in forms.items():
        for slot in required:
            if slot not in slots:
                raise DomainError(f"{source}: forms.{form}: required slot {slot!r} is not declared under slots")
    intents = [i if isinstance(i, str) else next(iter(i)) for i in raw.get("intents") or []]
    return Domain(
        intents=intents,
        entities=list(raw.get("entities") or []),
        slots=slots,
        responses=responses,
        actions=list(raw.get("actions") or []),
        forms=forms,
        raw=raw,
    )


def load_domain(path: Path) -> Domain:
    raw = read_yaml(path, DomainError)
    return parse_domain(raw, path.name)


def _slots(raw: dict[str, Any], source: str) -> dict[str, Slot]:
    """The declared slots, plus Rasa's `requested_slot`."""
    slots: dict[str, Slot] = {}
    for name, spec in (raw.get("slots") or {}).items():
        spec = spec or {}
        slots[name] = Slot(
            name=name,
            type=spec.get("type", "any"),
            initial_value=spec.get("initial_value"),
            mappings=tuple(_mapping(m, f"{source}: slots.{name}") for m in spec.get("mappings") or []),
            values=tuple(spec.get("values") or ()),
        )
    if "requested_slot" not in slots:
        slots["requested_slot"] = Slot("requested_slot", "any", None, ())
    return slots


def _variants(variants: Any, where: str) -> list[ResponseVariant]:
    """A response's variants, the conditional ones first (they are tried first, as Rasa does)."""
    if not isinstance(variants, list) or not variants:
        raise DomainError(f"{where}: expected a list of variants")
    parsed = []
    for index, variant in enumerate(variants):
        if "text" not in variant:
            raise DomainError(f"{where}[{index}]: `text` is required")
        condition = tuple(
            (c["name"], c.get("value")) for c in variant.get("condition") or [] if c.get("type") == "slot"
        )
        buttons = tuple({"title": str(b["title"]), "payload": str(b["payload"])} for b in variant.get("buttons") or [])
        parsed.append(ResponseVariant(str(variant["text"]).strip(), buttons, condition))
    return sorted(parsed, key=lambda v: 0 if v.condition else 1)
