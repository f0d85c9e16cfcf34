"""Message latency in process (p50/p99 over 2,000 messages on the demo directory), its floor, the SQL statements
of a turn, and web requests/s.

Run: `.venv/bin/python bench/latency.py [--messages 2000] [--repeat 3] [--clients 1 8 32] [--no-web]`. Prints
figures; asserts nothing. The machine is noisy: compare figures from one run, as ratios; each in-process figure is
the median of `--repeat` runs, each on a fresh database.

The floor is what a turn cannot do without: the NLU parse of the message, one read of the stored conversation and
one write of it (the tracker written back, the turn's two transcript lines added), on the trackers the assistant
itself stored. The SQL statements are counted with a `before_cursor_execute` listener, per turn and per kind.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine, event, insert, select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measures import UNLIMITED, bench_config, percentile  # noqa: E402
from bot.bootstrap import build_assistant, build_services, load_nlu  # noqa: E402
from bot.channels.web import build_web_app, start_web  # noqa: E402
from bot.directory.fixture import load_fixture  # noqa: E402
from bot.mail.capture import CaptureMailer  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from bot.nlu.model import NluModel  # noqa: E402
from bot.nlu.multi import parse_message  # noqa: E402
from bot.services.assistant import Assistant  # noqa: E402
from bot.storage.db import make_engine, migrate  # noqa: E402
from bot.storage.models import Conversation, Message  # noqa: E402

# a user's typical conversation; each simulated chat runs it with its own identifier
SCRIPT = [
    "bonjour",
    "jarrive pas a me connecter a l'ent",
    "{login}",
    "Non",
    "comment on active son compte sur netocentre ?",
    "c koi la longueur mini du mdp",
    "mon lien a expiré",
    "{login}",
    "/deny",
    "merci au revoir",
]
LOGINS = [
    "marie.dupont",
    "chloe.bernard",
    "lucas.martin",
    "hugo.petit",
    "emma.leroy",
    "lea.blanc",
    "manon.andre",
    "inconnu.total",
    "theo.lefebvre",
    "camille.rousseau",
]


def build(folder: Path, nlu: NluModel | None = None) -> Assistant:
    config = bench_config(web={"requests_per_ip": UNLIMITED})
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(make_engine(url))
    services = build_services(
        config,
        database_url=url,
        mailer=CaptureMailer(folder / "outbox"),
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    return build_assistant(services, nlu or load_nlu(config))


def turns(messages: int) -> Iterator[tuple[str, str]]:
    """The bench's mix: `(sender_id, text)` of `messages` turns, chat after chat of SCRIPT."""
    for index in range(messages):
        chat, line = divmod(index, len(SCRIPT))
        yield f"bench:{chat}", SCRIPT[line].format(login=LOGINS[chat % len(LOGINS)])


_KIND = re.compile(r"\s*(\w+)")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


@dataclass
class StatementCount:
    """SQL statements, pool checkouts and rollbacks on an engine while `counting`."""

    statements: Counter[str] = field(default_factory=Counter)
    checkouts: int = 0
    rollbacks: int = 0
    counting: bool = False

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", self._checkout)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.counting:
            kind, table = _KIND.match(statement), _TABLE.search(statement)
            name = f"{kind.group(1).upper() if kind else '?'} {table.group(1) if table else ''}"
            self.statements[name.strip()] += 1

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += self.counting

    def _rollback(self, *_args: Any) -> None:
        self.rollbacks += self.counting

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.counting = True
        try:
            yield
        finally:
            self.counting = False


@dataclass
class Run:
    latencies: list[float]
    floor: list[float]
    count: StatementCount

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def floor_p50(self) -> float:
        return percentile(self.floor, 50)


def in_process(assistant: Assistant, messages: int) -> Run:
    """Every turn of the mix through `Assistant.handle`, then the floor of the same turns."""
    count = StatementCount()
    count.attach(assistant.services.database)
    latencies: list[float] = []
    with count.measuring():
        for sender, text in turns(messages):
            started = time.perf_counter()
            assistant.handle(InboundMessage(sender, text))
            latencies.append((time.perf_counter() - started) * 1000)
    return Run(latencies, floor(assistant, messages), count)


def floor(assistant: Assistant, messages: int) -> list[float]:
    """NLU, one read and one write of the conversation, for each turn of the mix (on the trackers stored)."""
    database, nlu = assistant.services.database, assistant.nlu
    times: list[float] = []
    for sender, text in turns(messages):
        started = time.perf_counter()
        parse = parse_message(nlu, text)
        with database.begin() as connection:
            row = connection.execute(
                select(Conversation.id, Conversation.tracker).where(Conversation.sender_id == sender)
            ).one()
            connection.execute(update(Conversation).where(Conversation.id == row.id).values(tracker=row.tracker))
            now = dt.datetime.now(dt.UTC)
            connection.execute(
                insert(Message),
                [
                    {
                        "conversation_id": row.id,
                        "direction": "in",
                        "text": text,
                        "intent": parse["intent"]["name"],
                        "confidence": parse["intent"]["confidence"],
                        "created_at": now,
                    },
                    {
                        "conversation_id": row.id,
                        "direction": "out",
                        "text": "…",
                        "intent": None,
                        "confidence": None,
                        "created_at": now,
                    },
                ],
            )
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(runs: list[Run], messages: int) -> None:
    """The median of each figure over the runs, and the statements of a turn by kind."""
    median = statistics.median
    p50, p99, base = median(r.p50 for r in runs), median(r.p99 for r in runs), median(r.floor_p50 for r in runs)
    print(f"in-process: {messages} messages in {-(-messages // len(SCRIPT))} chats, median of {len(runs)} runs")
    print(
        f"  latency p50 {p50:.2f} ms, p99 {p99:.2f} ms (runs: "
        + ", ".join(f"{r.p50:.2f}/{r.p99:.2f}" for r in runs)
        + ")"
    )
    print(
        f"  floor p50 {base:.2f} ms (NLU, one read and one write of the conversation); "
        f"p50 is {p50 / base:.2f}x the floor"
    )
    count = runs[0].count
    total = sum(count.statements.values())
    print(
        f"  SQL a turn: {total / messages:.2f} statements, {count.checkouts / messages:.2f} pool checkouts, "
        f"{count.rollbacks / messages:.2f} rollbacks"
    )
    kinds: Counter[str] = Counter()
    for name, n in count.statements.items():
        kinds[name.split()[0]] += n
    print("  by kind: " + ", ".join(f"{kind} {n / messages:.2f}" for kind, n in kinds.most_common()))
    for name, n in count.statements.most_common():
        print(f"    {n / messages:6.2f}  {name}")


async def web(assistant: Assistant, clients: list[int], requests_per_client: int) -> None:
    runner = await start_web(build_web_app(assistant), "127.0.0.1", 0)
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as session:
        for count in clients:

            async def client(index: int, count: int) -> list[float]:
                times = []
                for turn in range(requests_per_client):
                    line = SCRIPT[turn % len(SCRIPT)].format(login=LOGINS[index % len(LOGINS)])
                    started = time.perf_counter()
                    async with session.post(url, json={"sender": f"w{count}-{index}", "message": line}) as response:
                        await response.read()
                        assert response.status == 200
                    times.append((time.perf_counter() - started) * 1000)
                return times

            started = time.perf_counter()
            results = await asyncio.gather(*(client(i, count) for i in range(count)))
            elapsed = time.perf_counter() - started
            flat = [t for r in results for t in r]
            print(
                f"web, {count:>3} concurrent clients: {len(flat) / elapsed:7.1f} requests/s, "
                f"p50 {percentile(flat, 50):.1f} ms, p99 {percentile(flat, 99):.1f} ms"
            )
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="in-process runs, each on a fresh database")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests-per-client", type=int, default=40)
    parser.add_argument("--no-web", action="store_true", help="the in-process figures only")
    args = parser.parse_args()
    runs: list[Run] = []
    nlu: NluModel | None = None
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            assistant = build(Path(folder), nlu)
            nlu = assistant.nlu
            runs.append(in_process(assistant, args.messages))
            assistant.services.database.dispose()
    report(runs, args.messages)
    if not args.no_web:
        with tempfile.TemporaryDirectory() as folder:
            assistant = build(Path(folder), nlu)
            asyncio.run(web(assistant, args.clients, args.requests_per_client))
            assistant.services.database.dispose()


if __name__ == "__main__":
    main()
