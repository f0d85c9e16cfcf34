"""Instances that share the load: several assistants on one PostgreSQL database.

Any instance serves any message of a chat, in the chat's order (the chat's lock in the database), and exactly one
runs the scheduled jobs (the lease), the next taking them over when that one is killed, with nothing sent twice
and nothing lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.bootstrap import build_assistant, build_services, load_demo_directory
from bot.config import AppConfig, load_config
from bot.directory.fixture import load_fixture
from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage
from bot.nlu.model import NluModel
from bot.scheduler import start_scheduler
from bot.services import Services
from bot.storage.db import make_engine, migrate
from bot.storage.job_runs import JobRuns
from bot.storage.lease import Lease
from bot.storage.locks import hold
from bot.storage.models import AuditEvent, InboxMessage, OutboundMail
from tests.conftest import ROOT, TEST_START, SettableClock
from tests.support.machine_clock import child_env
from tests.support.postgres import Postgres
from tests.support.processes import free_port, stop, wait_for_http, write_test_config

pytestmark = pytest.mark.postgres

LEASE_SECONDS = 2  # the instances' scheduler lease in these tests: a killed owner is replaced within it


def _services(config: AppConfig, url: str, clock: Callable[[], dt.datetime], folder: Path) -> Services:
    return build_services(config, clock=clock, database_url=url, mailer=CaptureMailer(folder))


# -- (a) two engines, one chat, turns at the same time -------------------------------------------------------------

OPENING = "bonjour je suis parent d'eleve"
FIRST = [
    "comment activer mon compte ENT",
    "quelle est la longueur minimum du mot de passe",
    "c'est quoi cesame exactement",
    "ou se trouve le guide de connexion",
    "merci pour ces informations",
]
SECOND = [
    "bonjour je voudrais des renseignements",
    "comment contacter le support du lycee",
    "le site de l'ENT est il en panne",
    "a quoi sert l'adresse de secours",
    "au revoir et bonne journee",
]


def test_two_instances_taking_turns_of_one_chat_at_once_keep_every_turn_in_order(
    postgres: Postgres, config: AppConfig, clock: SettableClock, nlu: NluModel, tmp_path: Path
) -> None:
    url = postgres.new_database("turns")
    migrate(make_engine(url))
    instances = [_services(config, url, clock, tmp_path / name) for name in ("a", "b")]
    instances[0].directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    assistants = [build_assistant(services, nlu) for services in instances]  # each with its own engine and pool
    assert assistants[0].handle(InboundMessage("web:shared", OPENING)).messages  # the chat exists: now both at once
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def talk(index: int, lines: list[str]) -> None:
        try:
            start.wait()
            for line in lines:
                assert assistants[index].handle(InboundMessage("web:shared", line)).messages
        except BaseException as exc:  # reported below, with the thread's own traceback
            failures.append(exc)

    threads = [threading.Thread(target=talk, args=(i, lines)) for i, lines in enumerate((FIRST, SECOND))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures

    transcript = instances[0].conversations.transcript("web:shared", limit=200)
    said = [line for direction, line in transcript if direction == "in"]
    assert said[0] == OPENING and sorted(said[1:]) == sorted(FIRST + SECOND)  # every turn, once
    assert [line for line in said if line in FIRST] == FIRST and [line for line in said if line in SECOND] == SECOND
    directions = [direction for direction, _ in transcript]
    assert all(after == "out" for before, after in pairwise(directions) if before == "in")
    stored = instances[1].conversations.load("web:shared")
    assert stored is not None
    kept = [event["text"] for event in stored["events"] if event.get("event") == "user"]
    assert len(kept) >= 4 and kept == said[-len(kept) :]  # the tracker lost no turn another instance saved
    for services in instances:
        services.conversation_locks.dispose()
        services.database.dispose()


def test_a_turn_after_the_database_dropped_every_connection_is_answered_as_usual(
    postgres: Postgres, config: AppConfig, clock: SettableClock, nlu: NluModel, tmp_path: Path
) -> None:
    url = postgres.new_database("dropped")
    migrate(make_engine(url))
    services = _services(config, url, clock, tmp_path)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    assistant = build_assistant(services, nlu)
    down = assistant.engine.domain.render("utter_database_down", {}, {})
    assert assistant.handle(InboundMessage("web:restart", "bonjour")).messages
    admin = make_engine(url)
    with admin.connect() as connection:  # as a restart of the server does to the pooled connections
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = :db"
            ),
            {"db": "dropped"},
        )
    admin.dispose()
    replies = assistant.handle(InboundMessage("web:restart", "comment activer mon compte ENT")).messages
    assert replies and down is not None and all(reply.text != down["text"] for reply in replies)
    services.conversation_locks.dispose()
    services.database.dispose()


# -- real servers ------------------------------------------------------------------------------------------------


class Instance:
    """A `python -m bot run` on a free loopback port, its log in a file."""

    def __init__(self, folder: Path, url: str, outbox: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = folder / "server.log"
        self.config = write_test_config(
            folder,
            storage={"url": url},
            web={"host": "127.0.0.1", "port": self.port, "requests_per_ip": {"count": 100000, "per_seconds": 60}},
            mail={"outbox_dir": str(outbox)},
            assistant={"scheduler_lease_seconds": LEASE_SECONDS},
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.config.parent),
            "CLEF_CONFIG": str(self.config),
            "CLEF_SECRET_KEY": os.environ["CLEF_SECRET_KEY"],  # the same server key on every instance
            **child_env(lambda: TEST_START),  # the servers' wall clocks start where the tests' clock does
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_http(f"{self.url}/health", self.process, timeout=180)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"{exc}\n{self.output()}") from None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.loads(response.read())
        assert isinstance(replies, list)
        return replies

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)


@contextmanager
def instances(tmp_path: Path, url: str, count: int) -> Iterator[list[Instance]]:
    outbox = tmp_path / "outbox"
    started = [Instance(tmp_path / f"instance-{i}", url, outbox) for i in range(count)]
    try:
        yield started
    finally:
        for instance in started:
            instance.stop()


def eventually(condition: Callable[[], bool], what: str, tries: int = 1200) -> None:
    """Poll `condition` until it holds (a bounded wait for a state, not a timing)."""
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def _payload(replies: list[dict[str, Any]], title: str) -> str:
    buttons = [button for reply in replies for button in reply.get("buttons", [])]
    found = [button["payload"] for button in buttons if button["title"] == title]
    assert found, f"no button {title!r} in {buttons}"
    return str(found[0])


# -- (b) one chat served by two servers in turn ------------------------------------------------------------------


@pytest.mark.slow  # starts two `python -m bot run`
def test_two_servers_on_one_database_answer_one_chat_in_turn_and_keep_it_whole(
    postgres: Postgres, tmp_path: Path
) -> None:
    url = postgres.new_database("servers")
    with instances(tmp_path, url, 2) as (first, second):
        services = build_services(load_config(first.config))
        load_demo_directory(services)
        first.start()
        second.start()

        asked = first.say("relay", "mon lien de validation a expiré")
        assert "identifiant" in _text(asked).lower()
        diagnosed = second.say("relay", "chloe.bernard")  # the other server knows what was asked
        assert "a expiré" in _text(diagnosed)
        yes = _payload(diagnosed, "Oui")
        done = first.say("relay", yes)  # and the first knows what the second proposed
        assert "chloe.b@example.org" not in _text(done) and _text(done)
        thanks = second.say("relay", "merci beaucoup")
        assert _text(thanks)

        said = [line for direction, line in services.conversations.transcript("web:relay") if direction == "in"]
        assert said == ["mon lien de validation a expiré", "chloe.bernard", yes, "merci beaucoup"]
        with services.sessions() as session:
            mails = session.scalars(select(OutboundMail.recipient).where(OutboundMail.status == "sent")).all()
        assert mails == ["chloe.b@example.org"]  # the link mailed once, by whichever server took the "Oui"
        services.conversation_locks.dispose()
        services.database.dispose()


# -- (c) the scheduler's owner killed in the middle of a job ---------------------------------------------------


async def _make_due(services: Services, job_id: str, when: dt.datetime) -> None:
    """The job store as an earlier owner left it: `job_id` due at `when`."""
    scheduler = start_scheduler(services, paused=True)
    scheduler.modify_job(job_id, next_run_time=when)
    scheduler.shutdown(wait=False)


def _reminders(services: Services) -> list[str]:
    with services.sessions() as session:
        rows = session.scalars(select(AuditEvent.target).where(AuditEvent.operation == "ticket_reminder")).all()
    return [str(row) for row in rows]


def _waiting_on_a_lock(services: Services) -> bool:
    with services.sessions() as session:
        waiting = session.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
    return bool(waiting)


@pytest.mark.slow  # starts two `python -m bot run`
def test_the_jobs_owner_killed_mid_run_is_replaced_and_its_job_finished_once(
    postgres: Postgres, tmp_path: Path
) -> None:
    url = postgres.new_database("takeover")
    with instances(tmp_path, url, 2) as (owner, successor):
        earlier = SettableClock(TEST_START - dt.timedelta(hours=2))  # the tickets wait past the reminder delay
        services = build_services(load_config(owner.config), clock=earlier)
        load_demo_directory(services)
        tickets = [
            services.tickets.open(f"web:waiting-{i}", "web", None, None, None, "résumé", "conversation", earlier())
            for i in range(5)
        ]
        asyncio.run(_make_due(services, "remind_waiting_tickets", TEST_START))
        # the job reminds the newest tickets first; the third one's lock is held here, so the owner stops there,
        # two reminders sent, in the middle of its run
        blocker = Session(services.database)
        blocker.begin()
        hold(blocker, f"ticket_reminder:{tickets[2].id}")

        owner.start()
        eventually(lambda: len(_reminders(services)) == 2 and _waiting_on_a_lock(services), "the owner mid-run")
        assert f":{owner.pid}:" in (Lease(services.sessions).holder() or "")
        successor.start()
        assert f":{owner.pid}:" in (Lease(services.sessions).holder() or "")  # one owner while it lives
        owner.kill()
        blocker.rollback()
        blocker.close()

        eventually(
            lambda: f":{successor.pid}:" in (Lease(services.sessions).holder() or ""), "the successor took the lease"
        )
        eventually(
            lambda: (
                len(_reminders(services)) == 5
                and "remind_waiting_tickets" not in JobRuns(services.sessions).interrupted()
            ),
            "the job finished by the successor",
        )
        assert sorted(_reminders(services)) == sorted(f"ticket {t.id}" for t in tickets)  # each once
        with services.sessions() as session:
            inbox = session.execute(select(InboxMessage.sender_id, func.count()).group_by(InboxMessage.sender_id)).all()
        assert sorted(inbox) == sorted((t.sender_id, 1) for t in tickets)  # each user reassured once
        assert "toujours en attente" in services.relay.take(tickets[2].sender_id)[0].text
        assert successor.say("after", "bonjour")  # and it serves chats as before
        services.conversation_locks.dispose()
        services.database.dispose()
