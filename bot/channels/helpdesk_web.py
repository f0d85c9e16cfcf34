"""The helpdesk's signed webhooks, optional (`helpdesk.webhook_secret_env`): `POST /helpdesk/glpi` (GLPI 11,
`X-GLPI-signature` and `X-GLPI-timestamp`) and `POST /helpdesk/zammad` (`X-Hub-Signature`).

A delivery whose signature does not verify is refused (403) and read no further. A verified one only says which
ticket changed: the assistant reads that ticket back through the API at once (`HelpdeskSync.read_one`) instead of
waiting for the next poll, so a forged or replayed payload could relay nothing that is not there.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from bot.helpdesk.port import TicketSystem
from bot.helpdesk.signatures import glpi_signed, zammad_signed
from bot.services import Services
from bot.services.helpdesk_sync import HelpdeskSync

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1_000_000


def helpdesk_routes(services: Services, system: TicketSystem, secret: str) -> list[web.RouteDef]:
    """The webhook route of the configured helpdesk."""

    def verified(request: web.Request, body: bytes) -> bool:
        if system.name == "glpi":
            headers = request.headers
            return glpi_signed(body, headers.get("X-GLPI-timestamp"), headers.get("X-GLPI-signature"), secret)
        return zammad_signed(body, request.headers.get("X-Hub-Signature"), secret)

    async def webhook(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_WEBHOOK_BYTES:
            return web.Response(status=413)
        body = await request.read()
        if not verified(request, body):
            log.warning("a %s webhook with a wrong or missing signature was refused", system.name)
            return web.Response(status=403)
        try:
            external_id = system.webhook_ticket_id(json.loads(body))
        except ValueError:
            return web.Response(status=400)
        if external_id is not None:
            await asyncio.to_thread(HelpdeskSync(services, system).read_one, external_id)
        return web.json_response({"ok": True})

    return [web.post(f"/helpdesk/{system.name}", webhook)]
