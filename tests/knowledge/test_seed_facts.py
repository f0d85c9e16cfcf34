"""Every fact of the seed documents is answerable: asked as a user would, the reply carries it.

The facts, their source and the questions live in tests/data/seed_facts.yml; each runs in a fresh
conversation on the demo directory. A turn `click: <title>` presses a button of the previous reply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Chat

FACTS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent.parent / "data" / "seed_facts.yml").read_text())[
    "facts"
]


def test_there_are_at_least_thirty_facts_from_both_seeds() -> None:
    assert len(FACTS) >= 30
    sources = {str(f["source"])[:3] for f in FACTS}
    assert {"000", "004"} <= sources


@pytest.mark.parametrize("fact", FACTS, ids=[f["fact"] for f in FACTS])
def test_the_reply_carries_the_fact(chat: Chat, fact: dict[str, Any]) -> None:
    for turn in fact["turns"]:
        if turn.startswith("click:"):
            chat.click(turn.removeprefix("click:").strip())
        else:
            chat.say(turn)
    missing = [pattern for pattern in fact["says"] if not re.search(pattern, chat.text, re.IGNORECASE)]
    assert not missing, f"{fact['fact']}: {missing} not in the reply:\n{chat.text}"
