"""What the desk's « apprendre » listing costs: reading the unlabelled misses and unsure lines, and grouping them.

Run: `nice -n 10 .venv/bin/python bench/teach.py [--misses 5000] [--lines 100000] [--repeat 3]`. Prints figures;
asserts nothing. A temporary SQLite database gets `--misses` misses and `--lines` user lines (one in ten under
`review_below`), texts drawn from the held-out utterances with a word changed so that few are equal; then the
desk's listing (`Teaching.page`: the two queries, at most 1,000 of each, and the grouping) is timed, median of
`--repeat`, and the grouping alone on 500, 1,000 and 2,000 texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_services  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.knowledge_files import KNOWLEDGE, Knowledge  # noqa: E402
from bot.nlu.normalise import normalise  # noqa: E402
from bot.nlu.similarity import document_frequencies, group_texts  # noqa: E402
from bot.nlu.training_data import load_training_data  # noqa: E402
from bot.services.teaching import Teaching  # noqa: E402
from bot.storage.db import make_engine, migrate  # noqa: E402
from bot.storage.models import Conversation, Message, NluMiss  # noqa: E402

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
WORDS = ("stp", "svp", "encore", "depuis hier", "aidez moi", "urgent", "merci", "help", "toujours", "bizarre")


def texts(count: int, seed: int) -> list[str]:
    pool = [e.text for e in load_training_data(ROOT / "tests" / "data" / "nlu_heldout.yml").examples]
    rng = random.Random(seed)
    return [f"{rng.choice(pool)} {rng.choice(WORDS)} {rng.randrange(50)}" for _ in range(count)]


def timed(function: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_config()
    reference = document_frequencies(
        normalise(e.text) for e in load_training_data(ROOT / "knowledge" / "nlu.yml").examples
    )
    for size in (500, 1000, 2000):
        sample = texts(size, size)
        groups = group_texts(sample, reference=reference)
        seconds = timed(lambda sample=sample: group_texts(sample, reference=reference), args.repeat)
        print(f"grouping {size} texts: {seconds * 1000:.0f} ms, {len(groups)} groups")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'clef.db'}"
        engine = make_engine(url)
        migrate(engine)
        services = build_services(config, clock=lambda: NOW, database_url=url)
        with services.sessions.begin() as session:
            chat = Conversation(sender_id="web:bench", channel="web", tracker={}, created_at=NOW, updated_at=NOW)
            session.add(chat)
            session.flush()
            lines = texts(args.lines, 1)
            session.bulk_insert_mappings(
                Message,
                [
                    {
                        "conversation_id": chat.id,
                        "direction": "in",
                        "text": text,
                        "intent": "cannot_login",
                        "confidence": 0.5 if number % 10 == 0 else 0.9,
                        "created_at": NOW - dt.timedelta(seconds=number),
                    }
                    for number, text in enumerate(lines)
                ],
            )
            session.bulk_insert_mappings(
                NluMiss,
                [
                    {"text": text, "ranking": [{"name": "link_expired", "confidence": 0.3}], "created_at": NOW}
                    for text in texts(args.misses, 2)
                ],
            )
        teaching = Teaching(services, Knowledge(config.path(KNOWLEDGE)))
        page = teaching.page()  # the first call reads the training data and imports SciPy: not timed
        seconds = timed(teaching.page, args.repeat)
        print(
            f"desk listing ({args.misses} misses, {args.lines} lines stored): {seconds * 1000:.0f} ms for "
            f"{page.messages} messages in {page.all_groups} groups"
        )
        services.database.dispose()
        engine.dispose()


if __name__ == "__main__":
    main()
