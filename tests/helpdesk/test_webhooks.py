"""The helpdesks' signed webhooks: a verified one makes the assistant read the ticket at once (the agent's public
answer reaches the chat without waiting for the poll); a missing or wrong signature is refused and reads nothing."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.helpdesk_web import helpdesk_routes
from bot.helpdesk.signatures import glpi_signature, zammad_signature
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.helpdesk_sync import HelpdeskSync
from bot.storage.helpdesk_tickets import HelpdeskTicketStore
from tests.conftest import Chat
from tests.support.helpdesks import Helpdesk

SECRET = "webhook-secret-for-tests"
SENDER = "web:webhook-user"


def _payload(kind: str, external_id: int) -> bytes:
    if kind == "glpi":  # GLPI 11: an ITILFollowup added, its ticket named by itemtype/items_id
        item = {"id": 900, "itemtype": "Ticket", "items_id": external_id, "content": "ignored", "is_private": 0}
        return json.dumps({"event": "new", "item": item}).encode()
    return json.dumps({"ticket": {"id": external_id, "state": "open"}, "article": {"body": "ignored"}}).encode()


def _signed(kind: str, body: bytes, secret: str) -> dict[str, str]:
    if kind == "glpi":
        timestamp = str(int(time.time()))
        return {"X-GLPI-signature": glpi_signature(body, timestamp, secret), "X-GLPI-timestamp": timestamp}
    return {"X-Hub-Signature": zammad_signature(body, secret)}


@pytest.mark.parametrize("signing", ["right", "wrong", "missing"])
async def test_only_a_signed_webhook_is_followed(
    assistant: Assistant, services: Services, desk: Helpdesk, signing: str
) -> None:
    services.helpdesk = desk.system
    await asyncio.to_thread(Chat(assistant, SENDER).say, "je veux parler a un conseiller")  # turns run in threads
    ticket = services.tickets.open_for(SENDER)
    assert ticket is not None
    await asyncio.to_thread(HelpdeskSync(services, desk.system).run)
    link = HelpdeskTicketStore(services.sessions).get(ticket.id)
    assert link is not None
    await desk.agent.answer(link.external_id, "Réessayez maintenant, s'il vous plaît.", public=True)
    services.relay.take(SENDER)

    app = web.Application()
    app.add_routes(helpdesk_routes(services, desk.system, SECRET))
    body = _payload(desk.kind, link.external_id)
    headers = {"right": _signed(desk.kind, body, SECRET), "wrong": _signed(desk.kind, body, "not-the-secret")}
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        reply = await client.post(f"/helpdesk/{desk.kind}", data=body, headers=headers.get(signing, {}))
    relayed = [m.text for m in services.relay.take(SENDER)]
    if signing == "right":
        assert reply.status == 200
        assert relayed == [f"Conseiller (demande n°{ticket.id}) : Réessayez maintenant, s'il vous plaît."]
    else:
        assert reply.status == 403 and relayed == []
