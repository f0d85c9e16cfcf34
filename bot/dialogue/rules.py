"""Reads `knowledge/rules.yml` (Rasa 3 rules) into what the policy needs.

Supported subset, checked at load time:
- an intent rule: `steps` start with `- intent: X`, then `- action:` steps (an action that is a form
  activates it; a following `- active_loop: form` step is accepted); an optional `condition` of
  `slot_was_set` pairs and/or `active_loop` restricts when it applies;
- a form submission rule: `condition: [active_loop: F]`, steps `action: F`, `active_loop: null`,
  optional `slot_was_set: [requested_slot: null]`, then the actions to run when F is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.yaml_files import read_yaml


class RulesError(ValueError):
    """rules.yml cannot be used; the message names the rule."""


@dataclass(frozen=True)
class IntentRule:
    name: str
    intent: str
    actions: tuple[str, ...]
    slot_conditions: tuple[tuple[str, Any], ...] = ()
    active_loop: str | None = None  # the rule applies only while this form is active

    @property
    def specificity(self) -> int:
        return len(self.slot_conditions) + (1 if self.active_loop else 0)


@dataclass(frozen=True)
class Rules:
    intent_rules: tuple[IntentRule, ...]
    form_submissions: dict[str, tuple[str, ...]]

    def for_intent(self, intent: str, slots: dict[str, Any], active_loop: str | None) -> IntentRule | None:
        """The most specific rule of this intent whose conditions hold."""
        candidates = [
            rule
            for rule in self.intent_rules
            if rule.intent == intent
            and (rule.active_loop is None or rule.active_loop == active_loop)
            and all(slots.get(slot) == value for slot, value in rule.slot_conditions)
        ]
        return max(candidates, key=lambda r: r.specificity, default=None)


def _conditions(raw: Any, name: str) -> tuple[tuple[tuple[str, Any], ...], str | None]:
    slot_conditions: list[tuple[str, Any]] = []
    active_loop = None
    for item in raw or []:
        if "slot_was_set" in item:
            for pair in item["slot_was_set"]:
                slot_conditions.extend(pair.items())
        elif "active_loop" in item:
            active_loop = item["active_loop"]
        else:
            raise RulesError(f"rule {name!r}: condition {item!r} is not supported")
    return tuple(slot_conditions), active_loop


def parse_rules(raw: Any, forms: set[str], source: str = "rules.yml") -> Rules:
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise RulesError(f"{source}: expected a mapping with a `rules:` list")
    intent_rules: list[IntentRule] = []
    submissions: dict[str, tuple[str, ...]] = {}
    for item in raw["rules"]:
        name = item.get("rule", "?")
        steps = item.get("steps") or []
        slot_conditions, loop = _conditions(item.get("condition"), name)
        if steps and "intent" in steps[0]:
            actions = []
            for step in steps[1:]:
                if "action" in step:
                    actions.append(str(step["action"]))
                elif "active_loop" in step or "slot_was_set" in step:
                    continue
                else:
                    raise RulesError(f"{source}: rule {name!r}: step {step!r} is not supported")
            intent_rules.append(IntentRule(name, str(steps[0]["intent"]), tuple(actions), slot_conditions, loop))
        elif loop in forms and steps and steps[0].get("action") == loop:
            actions = [str(s["action"]) for s in steps[1:] if "action" in s]
            submissions[loop] = tuple(actions)
        else:
            raise RulesError(f"{source}: rule {name!r} is neither an intent rule nor a form submission rule")
    return Rules(tuple(intent_rules), submissions)


def load_rules(path: Path, forms: set[str]) -> Rules:
    raw = read_yaml(path, RulesError)
    return parse_rules(raw, forms, path.name)
