"""The conversation evaluation: pytest replays its dev part (every conversation must pass), and its verdicts.

The test part (tests/conversations/test/) is never replayed here nor used for tuning: only
`python -m bot conversation-eval` measures it.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from bot.channels.replay import load_scenarios, run_scenario
from bot.commands.conversation_eval import cause_of, main
from bot.config import AppConfig
from bot.nlu.model import NluModel

ROOT = Path(__file__).resolve().parent.parent
DEV = sorted((ROOT / "tests" / "conversations" / "dev").glob("*.yml"))


def test_the_evaluation_has_both_parts_written_apart() -> None:
    test_part = sorted((ROOT / "tests" / "conversations" / "test").glob("*.yml"))
    assert len(DEV) + len(test_part) >= 150
    assert {p.stem for p in DEV}.isdisjoint({p.stem for p in test_part})


@pytest.mark.parametrize("path", DEV, ids=[p.stem for p in DEV])
def test_dev_conversation(path: Path, nlu: NluModel) -> None:
    scenario = load_scenarios(path)[0]
    lines = list(run_scenario(scenario, nlu))
    verdict = lines[-1]
    transcript = "\n".join(
        f"turn {line['turn']}: {line.get('user')!r} → {line.get('intent')} | "
        + " / ".join(m["text"][:200] for m in line.get("bot", []))
        for line in lines[:-1]
    )
    assert verdict["passed"], f"{path.name}: {verdict['failures']}\n{transcript}"


@pytest.mark.parametrize(
    ("failure", "turn", "cause"),
    [
        ("turn 2: intent 'deny', expected 'affirm'", None, "nlu"),
        (
            "turn 1: diagnosis None, expected 'link_expired'",
            {"user": "mon lien a expiré", "bot": [{"text": "Désolé"}]},
            "context",
        ),
        (
            "turn 1: diagnosis None, expected 'link_expired'",
            {"user": "c'est lea.blanc", "bot": [{"text": "Quel est votre identifiant ENT ?"}]},
            "entity",
        ),
        ("turn 3: bot did not say /48/", None, "wording"),
        ("turn 2: no button 'Oui' in the last bot message (had [])", None, "missing feature"),
    ],
)
def test_each_failure_is_filed_under_its_cause(failure: str, turn: dict[str, object] | None, cause: str) -> None:
    assert cause_of(failure, turn) == cause


def test_the_report_gives_each_part_its_pass_rate_and_causes(config: AppConfig, nlu: NluModel, tmp_path: Path) -> None:
    for part, body in (("dev", "ok"), ("test", "broken")):
        (tmp_path / part).mkdir()
        expect = "{diagnosis: null}" if body == "ok" else "{diagnosis: not_activated}"
        (tmp_path / part / f"{part}-one.yml").write_text(
            f"name: {part}-one\nnow: 2026-11-25T10:00:00+01:00\nturns:\n  - user: bonjour\n    expect: {expect}\n",
            encoding="utf-8",
        )
    out = io.StringIO()
    args = argparse.Namespace(folder=str(tmp_path), part=None, verbose=True, json=str(tmp_path / "r.json"))
    assert main(config, args, nlu, ROOT / "config.yml", out) == 0
    report = out.getvalue()
    assert "dev: 1/1 conversations passed (100.0%)" in report
    assert "test: 0/1 conversations passed (0.0%)" in report and "context: 1" in report
    assert (tmp_path / "r.json").exists()
