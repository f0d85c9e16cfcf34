"""The project's own scenarios (tests/scenarios/*.yml) through replay, and replay's contract (§3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.replay import Scenario, load_scenarios, run_scenario
from bot.nlu.model import NluModel
from tests.conftest import ROOT

SCENARIO_FILES = sorted((ROOT / "tests" / "scenarios").glob("*.yml"))
SCENARIOS = [(path, scenario) for path in SCENARIO_FILES for scenario in load_scenarios(path)]


def test_there_are_at_least_forty_scenarios_with_unique_names() -> None:
    names = [scenario.name for _, scenario in SCENARIOS]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("path", "scenario"), SCENARIOS, ids=[s.name for _, s in SCENARIOS])
def test_scenario(path: Path, scenario: Scenario, nlu: NluModel) -> None:
    lines = list(run_scenario(scenario, nlu))
    verdict = lines[-1]
    transcript = "\n".join(
        f"turn {line['turn']}: {line.get('user')!r} → {line.get('intent')} | "
        + " / ".join(m["text"][:160] for m in line.get("bot", []))
        for line in lines[:-1]
    )
    assert verdict["passed"], f"{path.name}: {verdict['failures']}\n{transcript}"


def _replay(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "replay", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
    )


def test_replay_prints_one_json_line_per_turn_then_the_verdict(tmp_path: Path) -> None:
    path = SCENARIO_FILES[0]
    done = _replay(str(path), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    scenario = load_scenarios(path)[0]
    assert len(lines) == len(scenario.turns) + 1
    for key in ("scenario", "turn", "user", "intent", "confidence", "bot", "diagnosis", "operations", "ticket"):
        assert key in lines[0]
    assert lines[-1] == {"scenario": scenario.name, "passed": True, "failures": []}


def test_replay_exits_1_when_an_expectation_fails(tmp_path: Path) -> None:
    failing = tmp_path / "failing.yml"
    failing.write_text(
        "name: wrong-expectation\nnow: 2026-09-15T10:00:00+02:00\n"
        "directory: {establishments: [], accounts: []}\nchat: {channel: web, user_id: 1}\n"
        "turns:\n  - user: bonjour\n    expect: {intent: link_expired, says: ['introuvable']}\n",
        encoding="utf-8",
    )
    done = _replay(str(failing), "--json")
    assert done.returncode == 1
    verdict = json.loads(done.stdout.splitlines()[-1])
    assert verdict["passed"] is False and len(verdict["failures"]) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot be read"), ("name: [unclosed", "not valid YAML"), ("name: x\n", "needs `now`")],
)
def test_replay_exits_2_with_a_clear_message_on_a_bad_file(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "bad.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = _replay(str(path), "--json")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_parse_follows_the_contract() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "parse"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        input="mon lien a expire, mon identifiant c'est marie.dupont2\n\n",
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    first = lines[0]
    assert first["intent"]["name"] == "link_expired"
    assert first["intent_ranking"][0] == first["intent"]
    text = first["text"]
    (username,) = [e for e in first["entities"] if e["entity"] == "username"]
    assert username["value"] == "marie.dupont2" and text[username["start"] : username["end"]] == "marie.dupont2"


LONG_MESSAGE_SCENARIO = (
    "name: short-messages\nnow: 2026-09-15T10:00:00+02:00\n"
    "directory: {establishments: [], accounts: []}\nchat: {channel: web, user_id: 1}\n"
    "turns:\n  - user: '" + "a" * 150 + "'\n    expect: {says: ['les 100 premiers caract']}\n"
)


def _short_message_config(tmp_path: Path) -> Path:
    import yaml

    from bot.config import read_config_file

    raw = read_config_file(ROOT / "config.yml")
    raw["assistant"]["max_message_chars"] = 100
    path = tmp_path / "short.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_replay_runs_the_scenarios_on_the_config_given_by_option_or_variable(tmp_path: Path) -> None:
    import os

    scenario = tmp_path / "short.yml.scenario.yml"
    scenario.write_text(LONG_MESSAGE_SCENARIO, encoding="utf-8")
    config = _short_message_config(tmp_path)
    by_option = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "replay", str(scenario)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert by_option.returncode == 0, by_option.stdout + by_option.stderr
    by_variable = subprocess.run(
        [sys.executable, "-m", "bot", "replay", str(scenario)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CLEF_CONFIG": str(config)},
    )
    assert by_variable.returncode == 0, by_variable.stdout + by_variable.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: caf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
        (
            b"name: bad-regex\nnow: 2026-09-15T10:00:00+02:00\n"
            b"turns:\n  - user: bonjour\n    expect: {says: ['(unclosed']}\n",
            "turn 1: `says` pattern '(unclosed' is not a valid regex",
        ),
        (
            b"name: bad-regex\nnow: 2026-09-15T10:00:00+02:00\nturns:\n  - user: bonjour\n    expect: {not_says: 12}\n",
            "turn 1: `not_says` must be a list of regexes",
        ),
    ],
)
def test_replay_exits_2_on_a_file_it_cannot_decode_or_a_bad_regex(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "odd.yml"
    path.write_bytes(content)
    for args in ((str(path), "--json"), (str(path),)):
        done = _replay(*args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
