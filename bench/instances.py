"""Web throughput with one and with two `python -m bot run` instances sharing one PostgreSQL database.

Run: `.venv/bin/python bench/instances.py [--clients 32] [--requests-per-client 20]`. Starts a throw-away
PostgreSQL server (Debian's postgresql, as the tests do), migrates it and loads the demo directory, then sends the
bench's conversation mix (`bench/latency.py`) through the REST channel: first to one instance, then with a second
instance started, the clients split between the two (each chat stays on one instance, as behind a load balancer
with sticky sessions it would; any instance may serve any chat, in order). Prints figures; asserts nothing. The
machine has two cores, shared by the instances, the database server and the clients: compare the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measures import percentile  # noqa: E402
from bench.web_throughput import load  # noqa: E402
from bot.bootstrap import build_services, load_demo_directory  # noqa: E402
from bot.config import load_config  # noqa: E402
from tests.support.postgres import Postgres, binaries  # noqa: E402
from tests.support.processes import free_port, stop, wait_for_http, write_test_config  # noqa: E402


def start_instance(folder: Path, url: str, key: str) -> tuple[subprocess.Popen[bytes], str]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = write_test_config(
        folder,
        storage={"url": url},
        web={"host": "127.0.0.1", "port": port, "requests_per_ip": {"count": 10**7, "per_seconds": 60}},
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "CLEF_CONFIG": str(config), "CLEF_SECRET_KEY": key}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", process, timeout=180)
    return process, base


def measured(bases: list[str], clients: int, requests_per_client: int, label: str) -> float:
    """The mix sent to the instances at `bases`; prints and returns the requests a second."""
    rate, times = asyncio.run(load(bases, clients, requests_per_client, label))
    print(
        f"{len(bases)} instance(s), {clients} clients: {rate:6.1f} requests/s, "
        f"p50 {percentile(times, 50):.0f} ms, p99 {percentile(times, 99):.0f} ms"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests-per-client", type=int, default=20)
    args = parser.parse_args()
    if binaries() is None:
        print("instances: skipped, Debian's postgresql is not installed (`make system-deps`)")
        return
    folder = Path(tempfile.mkdtemp(prefix="clef-bench-instances-"))
    server = Postgres(Path(tempfile.mkdtemp(prefix="clef-bench-pg-")))
    server.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        key = os.environ.get("CLEF_SECRET_KEY") or secrets.token_hex(32)
        first, first_url = start_instance(folder / "a", server.url, key)
        processes.append(first)
        services = build_services(load_config(folder / "a" / "config.yml"))
        load_demo_directory(services)
        services.database.dispose()
        measured([first_url], 4, 5, "warm-a")
        one = measured([first_url], args.clients, args.requests_per_client, "one")
        second, second_url = start_instance(folder / "b", server.url, key)
        processes.append(second)
        measured([second_url], 4, 5, "warm-b")
        two = measured([first_url, second_url], args.clients, args.requests_per_client, "two")
        print(f"two instances / one: {two / one:.2f}×")
    finally:
        for process in processes:
            stop(process)
        server.stop()


if __name__ == "__main__":
    main()
