"""`python -m bot replay`: conversation scenarios (contracts §3) through the real message path.

Each scenario gets a fresh temporary database, the embedded SQL directory filled from its fixture,
a clock fixed at `now` (advanced one second a turn), captured mail, and its own chat.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from bot.bootstrap import build_assistant, build_services
from bot.config import PROJECT_ROOT, ConfigError, config_path, deep_merge, not_utf8, parse_config, read_config_file
from bot.directory.fixture import FixtureError, parse_fixture
from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage, OutboundMessage, TurnResult
from bot.nlu.model import NluModel
from bot.services.assistant import Assistant
from bot.storage.db import DatabaseUnavailable, make_engine, migrate
from bot.yaml_files import read_yaml

EXPECT_KEYS = {"intent", "diagnosis", "operations", "ticket", "says", "not_says"}


class ScenarioError(ValueError):
    """A scenario file cannot be read or is malformed."""


@dataclass
class Scenario:
    name: str
    now: dt.datetime
    directory: dict[str, Any]
    chat: dict[str, Any]
    turns: list[dict[str, Any]]
    config_overrides: dict[str, Any] = field(default_factory=dict)


def load_scenarios(path: Path) -> list[Scenario]:
    try:
        raw = read_yaml(path, ScenarioError)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: {not_utf8(exc)}") from None
    items = raw if isinstance(raw, list) else [raw]
    return [_scenario(item, path) for item in items]


def _scenario(raw: Any, path: Path) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping")
    for key in ("name", "now", "turns"):
        if key not in raw:
            raise ScenarioError(f"{path}: scenario needs `{key}`")
    turns = raw["turns"]
    now = _now(raw["now"], path)
    if not isinstance(turns, list) or not turns:
        raise ScenarioError(f"{path}: `turns` must be a non-empty list")
    for index, turn in enumerate(turns, 1):
        _check_turn(turn, f"{path}: turn {index}")
    return Scenario(
        name=str(raw["name"]),
        now=now,
        directory=raw.get("directory") or {},
        chat=raw.get("chat") or {},
        turns=turns,
        config_overrides=raw.get("config_overrides") or {},
    )


def _now(now: Any, path: Path) -> dt.datetime:
    """The scenario's aware `now`, from a YAML date-time or an ISO string."""
    if isinstance(now, str):
        try:
            now = dt.datetime.fromisoformat(now)
        except ValueError:
            raise ScenarioError(f"{path}: `now` is not an ISO date-time: {now!r}") from None
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise ScenarioError(f"{path}: `now` needs a date-time with its UTC offset")
    return now


def _check_turn(turn: Any, where: str) -> None:
    """A turn is a `user` message or a `click` on a button, with optional expectations of known keys."""
    if not isinstance(turn, dict) or ("user" in turn) == ("click" in turn):
        raise ScenarioError(f"{where} needs exactly one of `user` or `click`")
    expect = turn.get("expect") or {}
    if not isinstance(expect, dict):
        raise ScenarioError(f"{where}: `expect` must be a mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown expect key {sorted(unknown)[0]!r}")
    for key in ("says", "not_says"):
        _check_patterns(expect.get(key), f"{where}: `{key}`")


def _check_patterns(patterns: Any, where: str) -> None:
    """`says` / `not_says` are lists of regexes that compile: a typo is the file's fault, reported before any turn."""
    if patterns is None:
        return
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ScenarioError(f"{where} must be a list of regexes (strings)")
    for pattern in patterns:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ScenarioError(f"{where} pattern {pattern!r} is not a valid regex ({exc})") from None


class _SaidButton(TypedDict):
    title: str
    payload: str


class _Said(TypedDict):
    """One bot message as a replay line shows it."""

    text: str
    buttons: list[_SaidButton]


def _said(messages: list[OutboundMessage]) -> list[_Said]:
    return [
        {"text": m.text, "buttons": [{"title": b.title, "payload": b.payload} for b in m.buttons]} for m in messages
    ]


class _ScenarioClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _judge(turn_no: int, expect: dict[str, Any], result: TurnResult, bot_text: str) -> list[str]:
    failures: list[str] = []
    where = f"turn {turn_no}"
    if "intent" in expect and expect["intent"] != result.intent:
        failures.append(f"{where}: intent {result.intent!r}, expected {expect['intent']!r}")
    if "diagnosis" in expect and expect["diagnosis"] != result.diagnosis:
        failures.append(f"{where}: diagnosis {result.diagnosis!r}, expected {expect['diagnosis']!r}")
    if "operations" in expect:
        done = [op["op"] for op in result.operations]
        if sorted(done) != sorted(expect["operations"] or []):
            failures.append(f"{where}: operations {done}, expected {expect['operations']}")
    if "ticket" in expect and bool(expect["ticket"]) != (result.ticket is not None):
        failures.append(
            f"{where}: ticket {'open' if result.ticket else 'none'}, expected {'open' if expect['ticket'] else 'none'}"
        )
    for pattern in expect.get("says") or []:
        if not re.search(pattern, bot_text, re.IGNORECASE):
            failures.append(f"{where}: bot did not say /{pattern}/")
    for pattern in expect.get("not_says") or []:
        if re.search(pattern, bot_text, re.IGNORECASE):
            failures.append(f"{where}: bot said /{pattern}/")
    return failures


def run_scenario(scenario: Scenario, nlu: NluModel, config_file: Path | None = None) -> Iterator[dict[str, Any]]:
    """Yields one JSON-ready line per turn, then the verdict line.

    The configuration is `config_file`, else the file `CLEF_CONFIG` names, else config.yml; the scenario's
    `config_overrides` are merged over it.
    """
    path = config_path(config_file)
    raw = deep_merge(read_config_file(path), scenario.config_overrides)
    config = parse_config(raw, source=f"{path.name} + {scenario.name}", root=PROJECT_ROOT)
    fixture = parse_fixture(scenario.directory)
    clock = _ScenarioClock(scenario.now)
    with tempfile.TemporaryDirectory(prefix="clef-replay-") as folder:
        url = f"sqlite:///{Path(folder) / 'replay.db'}"
        migrate(make_engine(url))
        mailer = CaptureMailer(Path(folder) / "outbox")
        services = build_services(config, clock=clock, database_url=url, mailer=mailer)
        services.directory.load_fixture(fixture)
        assistant: Assistant = build_assistant(services, nlu)
        channel = str(scenario.chat.get("channel") or "replay")
        sender = f"{channel}:{scenario.chat.get('user_id', 1)}"
        if scenario.chat.get("agent"):
            services.agent_senders.add(sender)
        if scenario.chat.get("linked_login"):
            services.links.link(sender, str(scenario.chat["linked_login"]), clock.now)
        failures: list[str] = []
        last_buttons: list[_SaidButton] = []
        try:
            for number, turn in enumerate(scenario.turns, 1):
                if "click" in turn:
                    title = str(turn["click"])
                    button = next((b for b in last_buttons if b["title"] == title), None)
                    if button is None:
                        titles = [b["title"] for b in last_buttons]
                        failures.append(f"turn {number}: no button {title!r} in the last bot message (had {titles})")
                        yield {"scenario": scenario.name, "turn": number, "user": title, "error": "no such button"}
                        break
                    text = button["payload"]
                else:
                    text = str(turn["user"])
                result = assistant.handle(InboundMessage(sender, text))
                bot = _said([*result.messages, *services.relay.take(sender)])
                with_buttons = [m for m in bot if m["buttons"]]
                last_buttons = with_buttons[-1]["buttons"] if with_buttons else []
                bot_text = "\n".join(m["text"] for m in bot)
                failures += _judge(number, turn.get("expect") or {}, result, bot_text)
                yield {
                    "scenario": scenario.name,
                    "turn": number,
                    "user": text,
                    "intent": result.intent,
                    "confidence": result.confidence,
                    "bot": bot,
                    "diagnosis": result.diagnosis,
                    "operations": result.operations,
                    "ticket": result.ticket,
                }
                clock.now += dt.timedelta(seconds=1)
        finally:
            services.database.dispose()
        yield {"scenario": scenario.name, "passed": not failures, "failures": failures}


def replay_files(paths: list[Path], nlu: NluModel, as_json: bool, out: Any, config_file: Path | None = None) -> int:
    """Runs every scenario of every file; the exit status of `python -m bot replay`.

    Problems with the files themselves (unreadable, not UTF-8, malformed, a bad regex, a bad directory or
    configuration override) are one line on standard error and exit status 2, before or instead of results.
    """
    scenarios: list[Scenario] = []
    for path in paths:
        try:
            scenarios.extend(load_scenarios(path))
        except ScenarioError as exc:
            print(f"replay: {exc}", file=sys.stderr)
            return 2
    all_passed = True
    for scenario in scenarios:
        try:
            lines = list(run_scenario(scenario, nlu, config_file))
        except (ConfigError, FixtureError, DatabaseUnavailable) as exc:
            print(f"replay: {scenario.name}: {exc}", file=sys.stderr)
            return 2
        verdict = lines[-1]
        all_passed &= bool(verdict["passed"])
        if as_json:
            for line in lines:
                print(json.dumps(line, ensure_ascii=False, default=str), file=out)
        else:
            status = "ok  " if verdict["passed"] else "FAIL"
            print(f"{status} {scenario.name}", file=out)
            for failure in verdict["failures"]:
                print(f"     {failure}", file=out)
    return 0 if all_passed else 1
