"""`web.workers: 2`: two processes serve the web chat on one port, a chat's turns stay in order across them, and a
worker that dies is started again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.assistant_process import assistant_process
from tests.support.processes import free_port, write_test_config

pytestmark = pytest.mark.slow
UNLIMITED = {"count": 100000, "per_seconds": 60}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("workers")
    config_path = write_test_config(
        folder, web={"host": "127.0.0.1", "port": free_port(), "workers": 2, "requests_per_ip": UNLIMITED}
    )
    with assistant_process(folder, config_path) as url:
        yield url, folder / "clef.db"


def serving_process(url: str) -> int:
    """The process that answered a health check on a new connection."""
    with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
        return int(response.headers["X-Clef-Process"])


def processes_seen(url: str, tries: int = 40) -> set[int]:
    return {serving_process(url) for _ in range(tries)}


def both_serving(url: str, seconds: float = 90) -> set[int]:
    """The two processes, once both answer (a worker starts a few seconds after the first process)."""
    deadline = time.monotonic() + seconds
    seen = processes_seen(url)
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        seen = processes_seen(url)
    return seen


def say(url: str, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def workers_of(url: str) -> list[int]:
    """The worker processes started by the instance (`--web-worker` in their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--web-worker" in command:
                found.append(int(entry.name))
    return found


def test_both_processes_answer_on_the_same_port(served: tuple[str, Path]) -> None:
    url, _ = served
    assert len(both_serving(url)) == 2


def test_a_chats_messages_sent_at_once_are_all_kept_in_its_conversation(served: tuple[str, Path]) -> None:
    url, database = served
    both_serving(url)
    sent = [f"bonjour {n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:  # one connection each: both processes get some
        answers = list(pool.map(lambda text: say(url, "web-many-at-once", text), sent))
    assert all(answers)
    with sqlite3.connect(database) as connection:
        (tracker,) = connection.execute(
            "SELECT tracker FROM conversations WHERE sender_id = 'web:web-many-at-once'"
        ).fetchone()
        lines = connection.execute(
            "SELECT text FROM messages JOIN conversations ON conversations.id = messages.conversation_id "
            "WHERE sender_id = 'web:web-many-at-once' AND direction = 'in'"
        ).fetchall()
    users = [e["text"] for e in json.loads(tracker)["events"] if e["event"] == "user"]
    assert sorted(text for (text,) in lines) == sorted(sent)
    assert sorted(users) == sorted(sent)  # no turn's tracker written over another's


def test_a_worker_that_dies_is_started_again(served: tuple[str, Path]) -> None:
    url, _ = served
    both_serving(url)
    (worker,) = workers_of(url)
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        again = [pid for pid in workers_of(url) if pid != worker]
        if again and len(processes_seen(url, 20)) == 2:
            break
        time.sleep(0.5)
    assert again and again[0] in processes_seen(url)
