"""What another instance sharing the database leaves in a chat's inbox reaches the socket connected here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import socketio

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.config import WebSettings
from bot.messages import OutboundMessage
from bot.nlu.model import NluModel
from bot.services import Services
from tests.support.processes import free_port


@pytest.fixture
async def web_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    port = free_port()
    services.config = services.config.model_copy(
        update={"web": WebSettings(public_url=f"http://127.0.0.1:{port}", socket_sweep_seconds=0.2)}
    )
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


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
