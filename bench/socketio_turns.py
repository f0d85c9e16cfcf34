"""The web chat's turns over Rasa's socket.io channel beside the same turns over the REST channel, on one
in-process server: requests/s and p50/p99 of a turn (message sent → last answer in), per number of clients.

Run: `.venv/bin/python bench/socketio_turns.py [--clients 1 8 32] [--turns-per-client 40]`. Prints figures; asserts
nothing. A socket.io turn is an acknowledged `user_uttered`: its `bot_uttered` messages are in once the
acknowledgement is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import LOGINS, SCRIPT, build  # noqa: E402
from bench.measures import percentile  # noqa: E402
from bot.channels.web import build_web_app, start_web  # noqa: E402


def line(index: int, turn: int) -> str:
    return SCRIPT[turn % len(SCRIPT)].format(login=LOGINS[index % len(LOGINS)])


async def rest_client(url: str, http: aiohttp.ClientSession, name: str, index: int, turns: int) -> list[float]:
    times = []
    for turn in range(turns):
        started = time.perf_counter()
        async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": name, "message": line(index, turn)}) as r:
            await r.read()
            assert r.status == 200
        times.append((time.perf_counter() - started) * 1000)
    return times


async def socket_client(url: str, name: str, index: int, turns: int) -> list[float]:
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client.on("session_confirm", confirmed.put)
    await client.connect(url, transports=["websocket"])
    await client.emit("session_request", {"session_id": name})
    await confirmed.get()
    times = []
    for turn in range(turns):
        started = time.perf_counter()
        await client.call("user_uttered", {"message": line(index, turn), "session_id": name}, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
    await client.disconnect()
    return times


async def measure(url: str, clients: list[int], turns: int) -> None:
    async with aiohttp.ClientSession() as http:
        for count in clients:
            for kind in ("REST", "socket.io"):
                started = time.perf_counter()
                if kind == "REST":
                    runs = [rest_client(url, http, f"r{count}-{i}", i, turns) for i in range(count)]
                else:
                    runs = [socket_client(url, f"s{count}-{i}", i, turns) for i in range(count)]
                results = await asyncio.gather(*runs)
                elapsed = time.perf_counter() - started
                flat = [t for r in results for t in r]
                print(
                    f"{kind:>9}, {count:>3} clients: {len(flat) / elapsed:7.1f} turns/s, "
                    f"p50 {percentile(flat, 50):.1f} ms, p99 {percentile(flat, 99):.1f} ms"
                )


async def main_async(clients: list[int], turns: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assistant = build(Path(folder))
        runner = await start_web(build_web_app(assistant), "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            await measure(f"http://127.0.0.1:{port}", clients, turns)
        finally:
            await runner.cleanup()
            assistant.services.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--turns-per-client", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main_async(args.clients, args.turns_per_client))


if __name__ == "__main__":
    main()
