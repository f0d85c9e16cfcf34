"""The agents' desk on the web: a page and a small JSON API to work tickets.

Agents authenticate with the bearer token held by the environment variable `web.agent_token_env`
(compared in constant time); without it the desk is off. Every action goes through `TicketDesk`,
so it is authorised, audited and relayed to the user exactly as from Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.core.authz import Actor
from bot.desk import DeskRefused, TicketDesk
from bot.services import Services
from bot.storage.tickets import TicketView

STATIC = Path(__file__).resolve().parent / "static"
AGENT_ID = "web-desk:agent"
MAX_REPLY_CHARS = 3500

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ticket_json(ticket: TicketView) -> dict[str, Any]:
    return {
        "id": ticket.id, "status": ticket.status, "channel": ticket.channel, "tenant": ticket.tenant,
        "login": ticket.login, "diagnosis": ticket.diagnosis, "summary": ticket.summary, "agent": ticket.agent,
        "created_at": ticket.created_at.isoformat(), "updated_at": ticket.updated_at.isoformat(),
    }


def desk_routes(services: Services, token: str | None) -> list[web.RouteDef]:
    desk = TicketDesk(services)
    actor = Actor(AGENT_ID, is_agent=True)

    def authorised(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if not token:
                return web.json_response({"error": "the agents' desk is off: set the agent token variable"}, status=404)
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return web.json_response({"error": "unknown agent token"}, status=401)
            return await handler(request)

        return guarded

    def ticket_id(request: web.Request) -> int | None:
        raw = request.match_info["ticket_id"]
        return int(raw) if raw.isdigit() else None

    async def page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "desk.html", headers={"Cache-Control": "no-cache"})

    async def tickets(request: web.Request) -> web.Response:
        statuses = ("open", "taken", "closed") if request.query.get("all") else ("open", "taken")
        found = await asyncio.to_thread(services.tickets.list, statuses)
        return web.json_response([_ticket_json(t) for t in found])

    async def ticket(request: web.Request) -> web.Response:
        number = ticket_id(request)
        found = await asyncio.to_thread(services.tickets.get, number) if number else None
        if found is None:
            return web.json_response({"error": "no such ticket"}, status=404)
        messages = await asyncio.to_thread(services.tickets.messages, found.id)
        return web.json_response({
            **_ticket_json(found), "transcript": found.transcript,
            "messages": [{"author": a, "text": t, "at": at.isoformat()} for a, t, at in messages],
        })

    async def act(request: web.Request) -> web.Response:
        number = ticket_id(request)
        action = request.match_info["action"]
        if number is None:
            return web.json_response({"error": "no such ticket"}, status=404)
        try:
            if action == "take":
                done = await asyncio.to_thread(desk.take, actor, number, "web")
            elif action == "close":
                done = await asyncio.to_thread(desk.close, actor, number, "web")
            elif action == "reply":
                try:
                    body = await request.json()
                except ValueError:
                    return web.json_response({"error": "the body must be JSON: {\"text\": \"...\"}"}, status=400)
                text = body.get("text") if isinstance(body, dict) else None
                if not isinstance(text, str) or not text.strip():
                    return web.json_response({"error": "`text` must be a non-empty string"}, status=400)
                if len(text) > MAX_REPLY_CHARS:
                    return web.json_response({"error": f"`text` is limited to {MAX_REPLY_CHARS} characters"}, status=400)
                done = await asyncio.to_thread(desk.reply, actor, number, text, "web")
            else:
                return web.json_response({"error": f"unknown action {action!r}"}, status=404)
        except DeskRefused as exc:
            return web.json_response({"error": str(exc)}, status=409)
        return web.json_response(_ticket_json(done))

    return [
        web.get("/desk", page),
        web.get("/api/desk/tickets", authorised(tickets)),
        web.get("/api/desk/tickets/{ticket_id}", authorised(ticket)),
        web.post("/api/desk/tickets/{ticket_id}/{action}", authorised(act)),
    ]
