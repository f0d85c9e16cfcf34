"""Message latency in process (p50/p99 over 2,000 messages on the demo directory) and web requests/s.

Run: `.venv/bin/python bench/latency.py [--messages 2000] [--clients 1 8 32]`. Prints figures; asserts
nothing. The machine is noisy: compare figures from one run, as ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_assistant, build_services, load_nlu  # noqa: E402
from bot.channels.web import build_web_app, start_web  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.directory.fixture import load_fixture  # noqa: E402
from bot.mail.capture import CaptureMailer  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from bot.services.assistant import Assistant  # noqa: E402
from bot.storage.db import make_engine, migrate  # noqa: E402

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def build(folder: Path) -> Assistant:
    unlimited = {"count": 1_000_000, "per_seconds": 60}
    config = load_config(
        ROOT / "config.yml",
        overrides={
            "rate_limits": {
                "lookups_per_chat": unlimited,
                "operations_per_chat": unlimited,
                "operations_per_login": unlimited,
            },
            "web": {"requests_per_ip": unlimited},
        },
    )
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(make_engine(url))
    services = build_services(
        config,
        database_url=url,
        mailer=CaptureMailer(folder / "outbox"),
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    return build_assistant(services, load_nlu(config))


def in_process(assistant: Assistant, messages: int) -> None:
    latencies: list[float] = []
    chat = 0
    while len(latencies) < messages:
        login = LOGINS[chat % len(LOGINS)]
        for line in SCRIPT:
            if len(latencies) >= messages:
                break
            started = time.perf_counter()
            assistant.handle(InboundMessage(f"bench:{chat}", line.format(login=login)))
            latencies.append((time.perf_counter() - started) * 1000)
        chat += 1
    print(f"in-process: {len(latencies)} messages in {chat} chats")
    print(
        f"  latency p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
        f"mean {statistics.mean(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )


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
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests-per-client", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        assistant = build(Path(folder))
        in_process(assistant, args.messages)
        asyncio.run(web(assistant, args.clients, args.requests_per_client))
        assistant.services.database.dispose()


if __name__ == "__main__":
    main()
