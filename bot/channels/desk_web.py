"""The agents' desk on the web: a page and a small JSON API to work tickets.

Agents authenticate with a bearer token (compared in constant time). Each agent may have their own:
the variable `web.agent_tokens_env` (CLEF_AGENT_TOKENS) holds `name:token` pairs, and the single token of
`web.agent_token_env` (CLEF_AGENT_TOKEN) is the agent named "agent". The desk actor is `web-desk:<name>`,
so the audit and the ticket say which agent acted. Without any token the desk is off. Tokens shorter than
`MIN_TOKEN_CHARS` stop the start; wrong tokens are counted per client address and past
`web.desk_failures_per_ip` that address must wait, whatever token it sends. Every action goes through
`TicketDesk`, so it is authorised, audited and relayed to the user exactly as from Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
import math
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import ConfigError, secret
from bot.core.authz import Actor
from bot.services import Services
from bot.services.desk import DeskRefused, TicketDesk
from bot.storage.tickets import TicketView

STATIC = Path(__file__).resolve().parent / "static"
AGENT_PREFIX = "web-desk:"
SINGLE_AGENT = "agent"
AGENT_ID = AGENT_PREFIX + SINGLE_AGENT
AGENT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MIN_TOKEN_CHARS = 16
MAX_REPLY_CHARS = 3500
MAX_PER_PAGE = 200
STATUS_FILTERS = {
    "active": ("open", "taken"),
    "open": ("open",),
    "taken": ("taken",),
    "closed": ("closed",),
    "all": ("open", "taken", "closed"),
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AgentHandler = Callable[[web.Request, Actor], Awaitable[web.StreamResponse]]


def _ticket_json(ticket: TicketView) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "status": ticket.status,
        "channel": ticket.channel,
        "tenant": ticket.tenant,
        "login": ticket.login,
        "diagnosis": ticket.diagnosis,
        "summary": ticket.summary,
        "agent": ticket.agent,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }


def _long_enough(token: str, variable: str, who: str) -> None:
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"{variable} is {len(token)} characters{who}: the agents' desk needs at least {MIN_TOKEN_CHARS}"
        )


def agent_tokens(single: str | None, single_env: str, pairs: str | None, pairs_env: str) -> dict[str, str]:
    """Agent name by token, from the single token and the `name:token, name:token` variable.

    Raises `ConfigError` (the start stops with one line) on a short token, a malformed pair, a name
    given twice or a token shared by two agents.
    """
    names: dict[str, str] = {}
    if single:
        _long_enough(single, single_env, "")
        names[single] = SINGLE_AGENT
    for part in (pairs or "").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        name, colon, token = part.partition(":")
        name, token = name.strip(), token.strip()
        if not colon or not AGENT_NAME.match(name) or not token:
            raise ConfigError(
                f"{pairs_env}: expected name:token pairs separated by commas (name: letters, digits, . _ -)"
            )
        _long_enough(token, pairs_env, f" for agent {name!r}")
        if name in names.values():
            raise ConfigError(f"{pairs_env}: agent {name!r} is given twice")
        if token in names:
            raise ConfigError(f"{pairs_env}: agent {name!r} has the token of agent {names[token]!r}")
        names[token] = name
    return names


def _match(given: str, tokens: dict[str, str]) -> str | None:
    """The agent whose token this is; every token is compared, in constant time, so timing tells nothing."""
    found = None
    for token, name in tokens.items():
        if hmac.compare_digest(given.encode(), token.encode()):
            found = name
    return found


def _positive(raw: str | None, default: int, name: str, highest: int | None = None) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1 or (highest is not None and int(raw) > highest):
        bound = f" and at most {highest}" if highest is not None else ""
        raise ValueError(f"`{name}` must be a whole number from 1{bound}")
    return int(raw)


def desk_routes(services: Services, token: str | None, address_of: Callable[[web.Request], str]) -> list[web.RouteDef]:
    desk = TicketDesk(services)
    settings = services.config.web
    tokens = agent_tokens(token, settings.agent_token_env, secret(settings.agent_tokens_env), settings.agent_tokens_env)

    def authorised(handler: AgentHandler) -> Handler:
        """The handler, called with the agent whose token the request bears."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if not tokens:
                return web.json_response({"error": "the agents' desk is off: set the agent token variable"}, status=404)
            key = f"desk:failures:{address_of(request)}"
            limit = settings.desk_failures_per_ip
            if await asyncio.to_thread(services.limiter.reached, key, limit, services.now()):
                return web.json_response({"error": "too many wrong tokens from this address: wait"}, status=429)
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            name = _match(given, tokens)
            if name is None:
                await asyncio.to_thread(services.limiter.hit, key, limit, services.now())
                return web.json_response({"error": "unknown agent token"}, status=401)
            return await handler(request, Actor(AGENT_PREFIX + name, is_agent=True))

        return guarded

    def ticket_id(request: web.Request) -> int | None:
        raw = request.match_info["ticket_id"]
        return int(raw) if raw.isdigit() else None

    async def page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "desk.html", headers={"Cache-Control": "no-cache"})

    async def tickets(request: web.Request, _: Actor) -> web.Response:
        query = request.query
        status = query.get("status") or ("all" if query.get("all") else "active")
        if status not in STATUS_FILTERS:
            return web.json_response({"error": f"`status` must be one of {', '.join(STATUS_FILTERS)}"}, status=400)
        tenant = query.get("tenant") or None
        if tenant is not None and tenant not in services.config.tenants:
            return web.json_response(
                {"error": f"`tenant` must be one of {', '.join(services.config.tenants)}"}, status=400
            )
        try:
            number = _positive(query.get("page"), 1, "page")
            per_page = _positive(query.get("per_page"), 50, "per_page", MAX_PER_PAGE)
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        found, total = await asyncio.to_thread(services.tickets.page, STATUS_FILTERS[status], tenant, number, per_page)
        return web.json_response(
            {
                "tickets": [_ticket_json(t) for t in found],
                "page": number,
                "per_page": per_page,
                "total": total,
                "pages": max(1, math.ceil(total / per_page)),
                "status": status,
                "tenant": tenant,
                "tenants": [{"id": tid, "name": t.name} for tid, t in services.config.tenants.items()],
            }
        )

    async def ticket(request: web.Request, _: Actor) -> web.Response:
        number = ticket_id(request)
        found = await asyncio.to_thread(services.tickets.get, number) if number else None
        if found is None:
            return web.json_response({"error": "no such ticket"}, status=404)
        messages = await asyncio.to_thread(services.tickets.messages, found.id)
        return web.json_response(
            {
                **_ticket_json(found),
                "transcript": found.transcript,
                "messages": [{"author": a, "text": t, "at": at.isoformat()} for a, t, at in messages],
            }
        )

    async def act(request: web.Request, agent: Actor) -> web.Response:
        number = ticket_id(request)
        action = request.match_info["action"]
        if number is None:
            return web.json_response({"error": "no such ticket"}, status=404)
        try:
            if action == "take":
                done = await asyncio.to_thread(desk.take, agent, number, "web")
            elif action == "close":
                done = await asyncio.to_thread(desk.close, agent, number, "web")
            elif action == "reply":
                if request.content_type != "application/json":
                    return web.json_response({"error": "the body must be sent as application/json"}, status=415)
                try:
                    body = await request.json()
                except ValueError:
                    return web.json_response({"error": 'the body must be JSON: {"text": "..."}'}, status=400)
                text = body.get("text") if isinstance(body, dict) else None
                if not isinstance(text, str) or not text.strip():
                    return web.json_response({"error": "`text` must be a non-empty string"}, status=400)
                if len(text) > MAX_REPLY_CHARS:
                    return web.json_response(
                        {"error": f"`text` is limited to {MAX_REPLY_CHARS} characters"}, status=400
                    )
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return web.json_response({"error": "`text` must be valid Unicode text"}, status=400)
                done = await asyncio.to_thread(desk.reply, agent, number, text, "web")
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
