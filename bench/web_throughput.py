"""Messages a second through the web channel: one instance, 32 clients, with one, two and four web workers, on
SQLite and on PostgreSQL (a process waits on its GIL and its database part of the time, so four on two cores
still serve more than two).

Run: `.venv/bin/python bench/web_throughput.py [--clients 32] [--requests-per-client 40] [--workers 1 2 4]
[--databases sqlite postgresql]`. For each database and number of workers it starts `python -m bot run` (the
demo directory loaded, rate limits lifted, no scheduled jobs), waits until every worker answers, warms each chat
up, then sends the bench's conversation mix (`bench/latency.py`): each client is one chat, one request at a time
on a connection of its own. Prints requests a second, p50 and p99, and each number of workers against one. The
clients run in this process, on the same two cores as the servers (and PostgreSQL): their cost is in the figures.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import LOGINS, SCRIPT  # noqa: E402
from bench.measures import UNLIMITED, percentile  # noqa: E402
from bot.bootstrap import build_services, load_demo_directory  # noqa: E402
from bot.config import load_config  # noqa: E402
from tests.support.postgres import Postgres, binaries  # noqa: E402
from tests.support.processes import free_port, stop, wait_for_http, write_test_config  # noqa: E402


def start(folder: Path, workers: int, database_url: str | None) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m bot run` with `workers` web workers, on the database given (else a SQLite file in `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    unlimited = {"lookups_per_chat": UNLIMITED, "operations_per_chat": UNLIMITED, "operations_per_login": UNLIMITED}
    sections: dict[str, dict] = {
        "web": {"host": "127.0.0.1", "port": port, "workers": workers, "requests_per_ip": UNLIMITED},
        "rate_limits": unlimited,
        "assistant": {"run_scheduler": False},
    }
    if database_url:
        sections["storage"] = {"url": database_url}
    config = write_test_config(folder, **sections)
    services = build_services(load_config(config))
    load_demo_directory(services)
    services.database.dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "CLEF_CONFIG": str(config),
        "CLEF_SECRET_KEY": os.environ.get("CLEF_SECRET_KEY") or secrets.token_hex(32),
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", process, timeout=180)
    asyncio.run(_all_answering(base, workers))
    return process, base


async def _all_answering(base: str, workers: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    seen: set[str] = set()
    while len(seen) < workers and time.monotonic() < deadline:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/health") as response:
            seen.add(response.headers["X-Clef-Process"])
        await asyncio.sleep(0.05)
    if len(seen) < workers:
        raise RuntimeError(f"only {len(seen)} of {workers} workers answered")


async def load(bases: list[str], clients: int, requests_per_client: int, label: str) -> tuple[float, list[float]]:
    """Each client a chat running the mix, one request at a time, on one of `bases` (the clients spread over them);
    the requests a second and each one's time."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def client(index: int) -> list[float]:
            url, times = f"{bases[index % len(bases)]}/webhooks/rest/webhook", []
            for turn in range(requests_per_client):
                line = SCRIPT[turn % len(SCRIPT)].format(login=LOGINS[index % len(LOGINS)])
                started = time.perf_counter()
                async with session.post(url, json={"sender": f"{label}-{index}", "message": line}) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"HTTP {response.status}")
                times.append((time.perf_counter() - started) * 1000)
            return times

        started = time.perf_counter()
        results = await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    flat = [t for r in results for t in r]
    return len(flat) / elapsed, flat


def measure(database: str, workers: int, args: argparse.Namespace, database_url: str | None) -> float:
    folder = Path(tempfile.mkdtemp(prefix=f"clef-bench-web-{database}-{workers}-"))
    process, base = start(folder, workers, database_url)
    try:
        asyncio.run(load([base], args.clients, len(SCRIPT), "warm"))
        rate, times = asyncio.run(load([base], args.clients, args.requests_per_client, "bench"))
    finally:
        stop(process)
    print(
        f"  {database:10s} {workers} worker(s), {args.clients} clients: {rate:6.1f} requests/s, "
        f"p50 {percentile(times, 50):5.1f} ms, p99 {percentile(times, 99):6.1f} ms"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests-per-client", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"web channel, REST, {args.clients} clients × {args.requests_per_client} requests")
    for database in args.databases:
        server = None
        if database == "postgresql":
            if binaries() is None:
                print("  postgresql: skipped, Debian's postgresql is not installed (`make system-deps`)")
                continue
            server = Postgres(Path(tempfile.mkdtemp(prefix="clef-bench-pg-")))
            server.start()
        try:
            rates = {n: measure(database, n, args, server.url if server else None) for n in args.workers}
        finally:
            if server is not None:
                server.stop()
        first = min(rates)
        for workers in sorted(rates)[1:]:
            print(f"  {database}: {workers} workers / {first}: {rates[workers] / rates[first]:.2f}×")


if __name__ == "__main__":
    main()
