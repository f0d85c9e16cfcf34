"""`python -m bot conversation-eval`: the pass rate of whole conversations, and why the failing ones fail.

The conversations live in `tests/conversations/dev/` (used to improve the assistant; pytest replays them)
and `tests/conversations/test/` (never used for tuning: only measured). Both were written by an outside
author from the seed documents, the contracts and config.yml, without reading the code (see their README).
Each failing scenario is filed under the cause of its first failure:
- `nlu`: a turn's intent is not the expected one;
- `entity`: the message held an identifier or a school the assistant did not take (it asked again);
- `context`: the intent was right but the conversation went another way (wrong or missing diagnosis,
  operation or ticket);
- `wording`: the outcome was right but an expected fact was not said, or something was said that must not be;
- `missing feature`: the scenario could not be played (a crash, a button that is not there).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.channels.replay import ScenarioError, load_scenarios, run_scenario
from bot.config import AppConfig
from bot.nlu.model import NluModel

PARTS = ("dev", "test")
CAUSES = ("nlu", "entity", "context", "wording", "missing feature")
_ASKED_AGAIN = re.compile(r"identifiant ENT|ne ressemble pas à un identifiant|code de votre établissement", re.I)
_GIVEN = re.compile(r"\b[a-z][a-z\-]*\.[a-z][a-z\-]*\d*\b|\b\d{7}[a-z]\b|\b(lyc[ée]e|lgt|lp)\b", re.I)


@dataclass
class Failure:
    scenario: str
    cause: str
    detail: str


@dataclass
class PartResult:
    part: str
    total: int = 0
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def cause_of(failure: str, turn: dict[str, Any] | None) -> str:
    """The cause class of one failure line of `replay` (see the module docstring)."""
    if "no button" in failure or "error" in failure:
        return "missing feature"
    if ": intent " in failure:
        return "nlu"
    bot_text = " ".join(m.get("text", "") for m in (turn or {}).get("bot", []))
    if turn is not None and _GIVEN.search(str(turn.get("user") or "")) and _ASKED_AGAIN.search(bot_text):
        return "entity"
    if any(key in failure for key in (": diagnosis ", ": operations ", ": ticket ")):
        return "context"
    return "wording"


def evaluate_part(folder: Path, nlu: NluModel, config_path: Path) -> PartResult:
    result = PartResult(folder.name)
    for path in sorted(folder.glob("*.yml")):
        for scenario in load_scenarios(path):
            lines = list(run_scenario(scenario, nlu, config_path))
            verdict = lines[-1]
            result.total += 1
            if verdict["passed"]:
                result.passed += 1
                continue
            first = str(verdict["failures"][0])
            number = re.match(r"turn (\d+)", first)
            turn = next((line for line in lines[:-1] if number and line.get("turn") == int(number.group(1))), None)
            result.failures.append(Failure(scenario.name, cause_of(first, turn), "; ".join(verdict["failures"])))
    return result


def report(results: list[PartResult], out: TextIO, verbose: bool) -> None:
    for part in results:
        print(f"{part.part}: {part.passed}/{part.total} conversations passed ({part.rate:.1%})", file=out)
        causes = Counter(f.cause for f in part.failures)
        for cause in CAUSES:
            if causes[cause]:
                print(f"  {cause}: {causes[cause]}", file=out)
        if verbose:
            grouped: dict[str, list[Failure]] = defaultdict(list)
            for failure in part.failures:
                grouped[failure.cause].append(failure)
            for cause in CAUSES:
                for failure in grouped.get(cause, []):
                    print(f"    [{cause}] {failure.scenario}: {failure.detail}", file=out)


def main(config: AppConfig, args: argparse.Namespace, nlu: NluModel, config_path: Path, out: TextIO) -> int:
    folder = Path(args.folder)
    parts = [args.part] if args.part else list(PARTS)
    try:
        results = [evaluate_part(folder / part, nlu, config_path) for part in parts]
    except ScenarioError as exc:
        print(f"conversation-eval: {exc}", file=out)
        return 2
    report(results, out, args.verbose)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {"part": r.part, "total": r.total, "passed": r.passed, "failures": [f.__dict__ for f in r.failures]}
                    for r in results
                ],
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0
