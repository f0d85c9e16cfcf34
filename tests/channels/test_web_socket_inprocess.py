"""The socket.io channel on an in-process server: what another instance sharing the database leaves in a chat's
inbox reaches the socket connected here; reading the inbox at a session request and each message count against
the address's limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.config import RateLimit, WebSettings
from bot.messages import OutboundMessage
from bot.nlu.model import NluModel
from bot.services import Services
from tests.support.processes import free_port


async def serve(services: Services, nlu: NluModel, **web: Any) -> AsyncIterator[str]:
    port = free_port()
    services.config = services.config.model_copy(
        update={"web": WebSettings(public_url=f"http://127.0.0.1:{port}", **web)}
    )
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def web_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    async for url in serve(services, nlu, socket_sweep_seconds=0.2):
        yield url


@pytest.fixture
async def stingy_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    """No sweep in the test's time; one inbox read and two messages a minute per address."""
    async for url in serve(
        services,
        nlu,
        socket_sweep_seconds=3600,
        inbox_requests_per_ip=RateLimit(count=1, per_seconds=60),
        requests_per_ip=RateLimit(count=2, per_seconds=60),
    ):
        yield url


async def connected(url: str, said: asyncio.Queue[dict[str, object]]) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", said.put)
    await client.connect(url, transports=["websocket"])
    return client


async def test_a_message_another_instance_stored_is_pushed_to_the_connected_socket(
    web_url: str, services: Services
) -> None:
    said: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", said.put)
    client.on("session_confirm", confirmed.put)
    await client.connect(web_url, transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": "sweep-1"})
        assert await asyncio.wait_for(confirmed.get(), 30) == "sweep-1"
        inbox = services.relay.inbox
        assert inbox is not None
        await asyncio.to_thread(inbox.add, "web:sweep-1", [OutboundMessage("Conseiller (demande n°7) : Bonjour.")])
        assert await asyncio.wait_for(said.get(), 30) == {"text": "Conseiller (demande n°7) : Bonjour."}
        assert await asyncio.to_thread(services.relay.take, "web:sweep-1") == []
    finally:
        await client.disconnect()


async def test_session_requests_read_the_inbox_within_the_addresss_inbox_limit(
    stingy_url: str, services: Services
) -> None:
    said: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    notice = OutboundMessage("Conseiller (demande n°8) : Bonjour.")
    for attempt in range(2):
        await asyncio.to_thread(services.relay.keep, "web:stingy", [notice])
        client = await connected(stingy_url, said)
        try:  # acknowledged once the request is handled, inbox read or not
            await client.call("session_request", {"session_id": "stingy"}, timeout=30)
        finally:
            await client.disconnect()
        delivered = [] if said.empty() else [said.get_nowait()]
        assert delivered == ([{"text": notice.text}] if attempt == 0 else [])
    assert await asyncio.to_thread(services.relay.take, "web:stingy") == [notice]


async def test_messages_over_the_addresss_limit_are_answered_that_it_must_wait(stingy_url: str) -> None:
    said: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    client = await connected(stingy_url, said)
    answers = []
    try:
        await client.call("session_request", {"session_id": "busy"}, timeout=30)
        for _ in range(3):
            await client.call("user_uttered", {"message": "bonjour", "session_id": "busy"}, timeout=30)
            answers.append(str((await asyncio.wait_for(said.get(), 30))["text"]))
            while not said.empty():
                said.get_nowait()
    finally:
        await client.disconnect()
    assert ["Bonjour" in a for a in answers] == [True, True, False]
    assert answers[-1].startswith("Trop de messages viennent de votre réseau")
