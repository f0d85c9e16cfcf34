"""A hung directory or mail server must not stall the chats that do not need it.

Black-hole servers on 127.0.0.1 accept connections and never answer, as a hung SMTP or LDAP server
does. The assistant runs on its real aiohttp web server; several chats ask for things that need the
stuck server, and while those turns are pending another chat asks a FAQ question: it must be answered
at once (the latency bound is the behaviour under test).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import build_web_app, start_web
from bot.config import load_config
from bot.directory.fixture import load_fixture
from bot.nlu.model import NluModel
from bot.services import Services
from tests.conftest import ROOT, SettableClock
from tests.support.blackhole import BlackHole
from tests.support.processes import free_port

FAQ = "comment activer mon compte monlycee"
FAQ_BOUND_SECONDS = 0.2
OLD_DEFAULT_WORKERS = 6  # asyncio's default pool on the 2-core machines this runs on: min(32, cores + 4)


def assistant_config(ldap: BlackHole | None, smtp: BlackHole, smtp_timeout: float | None = None) -> Any:
    overrides: dict[str, Any] = {"mail": {"kind": "smtp", "smtp": {"host": "127.0.0.1", "port": smtp.port}}}
    if smtp_timeout is not None:
        overrides["mail"]["smtp"]["timeout_seconds"] = smtp_timeout
    if ldap is not None:
        overrides["directory"] = {"kind": "ldap", "ldap": {"url": f"ldap://127.0.0.1:{ldap.port}"}}
    overrides["web"] = {"requests_per_ip": {"count": 10_000, "per_seconds": 60}}
    return load_config(ROOT / "config.yml", overrides)


class Web:
    """The assistant behind its real web server, and a client."""

    def __init__(self, services: Services, nlu: NluModel) -> None:
        self.services = services
        self.nlu = nlu
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"
        self.runner: Any = None
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = build_web_app(build_assistant(self.services, self.nlu))
        self.runner = await start_web(app, "127.0.0.1", self.port)
        self.http = aiohttp.ClientSession()

    async def say(self, sender: str, message: str) -> str:
        assert self.http is not None
        async with self.http.post(self.url, json={"sender": sender, "message": message}) as response:
            assert response.status == 200, await response.text()
            return "\n".join(m["text"] for m in await response.json())

    async def timed(self, sender: str, message: str) -> tuple[str, float]:
        started = time.perf_counter()
        text = await self.say(sender, message)
        return text, time.perf_counter() - started

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        if self.runner is not None:
            await self.runner.cleanup()


async def reached(server: BlackHole, count: int, timeout: float = 15.0) -> None:
    """Wait (without blocking the event loop) until `count` clients are stuck on `server`."""
    deadline = time.monotonic() + timeout
    while server.connections < count:
        assert time.monotonic() < deadline, f"only {server.connections} of {count} clients reached the server"
        await asyncio.sleep(0.01)


def clef_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("clef-")]


@pytest.fixture
def servers() -> Iterator[tuple[BlackHole, BlackHole]]:
    ldap, smtp = BlackHole(), BlackHole()
    yield ldap, smtp
    ldap.stop()
    smtp.stop()


async def test_a_faq_is_answered_at_once_while_the_directory_and_the_mail_server_hang(
    servers: tuple[BlackHole, BlackHole],
    nlu: NluModel,
    clock: SettableClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ldap, smtp = servers
    monkeypatch.setenv("CLEF_LDAP_PASSWORD", "bind-secret")
    services = build_services(assistant_config(ldap, smtp), clock=clock, database_url=database_url)
    web = Web(services, nlu)
    await web.start()
    stuck: list[asyncio.Task[str]] = []
    try:
        assert "identifiant" in await web.say("warm", "j'arrive pas a me connecter")
        assert "MonLycée" in await web.say("warm", FAQ)
        chats = [f"stuck{n}" for n in range(8)]
        for number, chat in enumerate(chats):
            first = "renvoie moi le mail d'activation" if number % 2 else "j'arrive pas a me connecter"
            assert "identifiant" in await web.say(chat, first)
        stuck = [asyncio.create_task(web.say(chat, "lucas.martin")) for chat in chats]
        await reached(ldap, OLD_DEFAULT_WORKERS)
        answer, seconds = await web.timed("faq-user", FAQ)
        assert "MonLycée" in answer
        assert not all(task.done() for task in stuck), "the directory turns should still be pending"
        assert seconds < FAQ_BOUND_SECONDS, f"a FAQ took {seconds:.3f} s while the directory hung"
        for reply in await asyncio.gather(*stuck):
            assert "L'annuaire ne répond pas" in reply
    finally:
        ldap.stop()
        smtp.stop()
        await asyncio.gather(*stuck, return_exceptions=True)
        await web.stop()
        services.outbox.close()
        services.database.dispose()
    assert clef_threads() == []


async def test_a_resend_turn_only_stores_the_mail_whatever_the_account(
    servers: tuple[BlackHole, BlackHole],
    nlu: NluModel,
    clock: SettableClock,
    database_url: str,
) -> None:
    _, smtp = servers
    services = build_services(assistant_config(None, smtp, smtp_timeout=120), clock=clock, database_url=database_url)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    services.links.link("web:owner", "chloe.bernard", clock())
    web = Web(services, nlu)
    await web.start()
    try:
        for chat in ("existing", "unknown"):
            assert "identifiant" in await web.say(chat, "renvoie moi le mail d'activation")
        # if the turn sent the mail it would wait on the hung server for 120 s
        existing = await asyncio.wait_for(web.say("existing", "lucas.martin"), 20)
        unknown = await asyncio.wait_for(web.say("unknown", "personne.inconnue"), 20)
        assert existing == unknown and "lucas" not in existing
        owner = await asyncio.wait_for(web.say("owner", "renvoie moi le mail d'activation"), 20)
        assert "C'est fait" in owner and "c***b@e***.org" in owner
        await reached(smtp, 1)  # the background sender is the one stuck on the mail server
        answer, seconds = await web.timed("faq-user", FAQ)
        assert "MonLycée" in answer and seconds < FAQ_BOUND_SECONDS, f"a FAQ took {seconds:.3f} s"
        assert services.outbox.pending() == 2  # kept, to be sent when the server answers
    finally:
        smtp.stop()
        await web.stop()
        services.outbox.close()
        services.database.dispose()
    assert clef_threads() == []
