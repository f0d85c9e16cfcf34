"""The ENT's login from Rasa's web-chat widget (socket.io) against a real CAS server: the link comes as a `web_url`
quick reply, the confirmation is pushed to the socket, and the browser's tab says it is done (no chat page)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.nlu.model import NluModel
from bot.services import Services
from bot.storage.links import LinkMethod
from tests.cas.conftest import use_cas
from tests.support.cas_server import CasServer, log_in
from tests.support.processes import free_port

pytestmark = pytest.mark.slow  # a CAS server process

WAIT = 30.0


@pytest.fixture
async def site(services: Services, nlu: NluModel, cas_server: CasServer) -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    use_cas(services, cas_server.url, url)
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    yield url
    await runner.cleanup()


async def test_a_widget_chat_logs_in_with_the_ent_and_is_told_over_its_socket(
    site: str, cas_server: CasServer, services: Services
) -> None:
    said: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", said.put)
    client.on("session_confirm", confirmed.put)
    await client.connect(site, transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": "cas-widget"})
        assert await asyncio.wait_for(confirmed.get(), WAIT) == "cas-widget"
        for message in ('/inform{"tenant": "netocentre"}', "lier mon compte"):
            await client.call("user_uttered", {"message": message, "session_id": "cas-widget"}, timeout=WAIT)
        replies = []
        while not said.empty():
            replies.append(said.get_nowait())
        links = [q for r in replies for q in r.get("quick_replies", []) if q.get("type") == "web_url"]
        assert [q["title"] for q in links] == ["Se connecter avec l'ENT"], replies
        back = await log_in(cas_server, links[0]["url"])
        async with aiohttp.ClientSession() as http, http.get(back, allow_redirects=False) as page:
            assert page.status == 200 and "Compte vérifié" in await page.text()
        told = await asyncio.wait_for(said.get(), WAIT)
        assert set(told) == {"text"} and "camille.rousseau" in told["text"]
        link_made = services.links.link_of("web:cas-widget")
        assert link_made is not None and link_made.method is LinkMethod.CAS
    finally:
        await client.disconnect()
