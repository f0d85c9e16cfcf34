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

from bot.channels.desk_page import Layout, desk_page, json_for_html, page_texts
from bot.config import ConfigError, secret
from bot.core.authz import Actor
from bot.services import Services
from bot.services.desk import DeskRefused, TicketDesk
from bot.storage.tickets import TicketView

TEXTS_FILE = Path("knowledge") / "desk.yml"
PAGE_KEYS = (
    "title",
    "heading",
    "token_label",
    "login",
    "list_heading",
    "status_label",
    "status_active",
    "status_open",
    "status_taken",
    "status_closed",
    "status_all",
    "tenant_label",
    "all_tenants",
    "previous",
    "next",
    "refresh",
    "transcript_heading",
    "messages_heading",
    "reply_label",
    "send",
    "take",
    "close",
)
# the script's words: the states shown (`state_<status>`), the lines it writes, its notices
SCRIPT_KEYS = (
    "unknown_token",
    "too_many_tries",
    "status_prefix",
    "state_open",
    "state_taken",
    "state_closed",
    "page_info",
    "empty",
    "entry",
    "unknown_login",
    "title",
    "meta",
    "unknown_tenant",
    "no_diagnosis",
    "no_transcript",
    "no_messages",
    "line",
    "author_agent",
    "author_user",
    "taken",
    "closed",
    "reply_first",
    "replied",
    "failed",
)
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


DESK = web.AppKey("desk", TicketDesk)
SERVICES = web.AppKey("desk_services", Services)
DESK_TOKENS = web.AppKey("desk_tokens", dict[str, str])
DESK_ADDRESS: web.AppKey[Callable[[web.Request], str]] = web.AppKey("desk_address_of")
AGENT = web.RequestKey("desk_agent", Actor)  # the agent a token authenticated
DESK_LINKS = web.AppKey("desk_links", list[str])
"""Links to the desk's other pages, as HTML their owner escaped, shown on the tickets' page (given after this page is
installed, so they are read when the page is asked for)."""
TICKETS_TEXTS = web.AppKey("tickets_texts", dict[str, Any])
API = "/api/desk/"


def install_desk(
    app: web.Application, services: Services, token: str | None, address_of: Callable[[web.Request], str]
) -> None:
    """Give `app` the desk and the agents' tokens (`desk_auth` checks them on every `/api/desk/` request)."""
    settings = services.config.web
    app[DESK] = TicketDesk(services)
    app[SERVICES] = services
    app[DESK_TOKENS] = agent_tokens(
        token, settings.agent_token_env, secret(settings.agent_tokens_env), settings.agent_tokens_env
    )
    app[DESK_ADDRESS] = address_of
    app[DESK_LINKS] = []
    app[TICKETS_TEXTS] = page_texts(services.config.path(TEXTS_FILE), {"page": PAGE_KEYS, "script": SCRIPT_KEYS})


def json_error(status: int, message: str) -> web.Response:
    """The desk API's refusal: `{"error": message}` with `status`."""
    return web.json_response({"error": message}, status=status)


async def json_object(request: web.Request, shape: str) -> dict[str, Any] | web.Response:
    """A desk API request's JSON body, `{}` for JSON that is not an object, or the error that says the body must be
    JSON sent as application/json, like `shape`."""
    if request.content_type != "application/json":
        return json_error(415, "the body must be sent as application/json")
    try:
        body = await request.json()
    except ValueError:
        return json_error(400, f"the body must be JSON: {shape}")
    return body if isinstance(body, dict) else {}


@web.middleware
async def desk_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every desk API request bears an agent's token; wrong tokens are counted per client address."""
    if not request.path.startswith(API):
        return await handler(request)
    tokens = request.app[DESK_TOKENS]
    if not tokens:
        return json_error(404, "the agents' desk is off: set the agent token variable")
    services = request.app[SERVICES]
    key = f"desk:failures:{request.app[DESK_ADDRESS](request)}"
    limit = services.config.web.desk_failures_per_ip
    if await asyncio.to_thread(services.limiter.reached, key, limit, services.now()):
        return json_error(429, "too many wrong tokens from this address: wait")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    name = _match(given, tokens)
    if name is None:
        await asyncio.to_thread(services.limiter.hit, key, limit, services.now())
        return json_error(401, "unknown agent token")
    request[AGENT] = Actor(AGENT_PREFIX + name, is_agent=True)
    return await handler(request)


def _ticket_id(request: web.Request) -> int | None:
    raw = request.match_info["ticket_id"]
    return int(raw) if raw.isdigit() else None


async def page(request: web.Request) -> web.Response:
    """The tickets' page (static/tickets.html in the desk's layout), with the links the other desk pages gave."""
    texts = request.app[TICKETS_TEXTS]
    words: dict[str, str] = texts["page"]
    layout = Layout(
        title=words["title"], heading=words["heading"], token_label=words["token_label"], login=words["login"]
    )
    made = {"texts": json_for_html(texts["script"])}
    links: list[str] = request.app[DESK_LINKS]
    body = desk_page("tickets", layout, words, made, nav="".join(links))
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-cache"})


def _page_query(request: web.Request) -> tuple[str, str | None, int, int] | web.Response:
    """The status filter, tenant, page and page size asked for, or the error that says what is wrong."""
    query = request.query
    tenants = request.app[SERVICES].config.tenants
    status = query.get("status") or ("all" if query.get("all") else "active")
    if status not in STATUS_FILTERS:
        return json_error(400, f"`status` must be one of {', '.join(STATUS_FILTERS)}")
    tenant = query.get("tenant") or None
    if tenant is not None and tenant not in tenants:
        return json_error(400, f"`tenant` must be one of {', '.join(tenants)}")
    try:
        number = _positive(query.get("page"), 1, "page")
        per_page = _positive(query.get("per_page"), 50, "per_page", MAX_PER_PAGE)
    except ValueError as exc:
        return json_error(400, str(exc))
    return status, tenant, number, per_page


async def tickets(request: web.Request) -> web.Response:
    asked = _page_query(request)
    if isinstance(asked, web.Response):
        return asked
    status, tenant, number, per_page = asked
    services = request.app[SERVICES]
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


async def ticket(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    number = _ticket_id(request)
    found = await asyncio.to_thread(services.tickets.get, number) if number else None
    if found is None:
        return json_error(404, "no such ticket")
    messages = await asyncio.to_thread(services.tickets.messages, found.id)
    return web.json_response(
        {
            **_ticket_json(found),
            "transcript": found.transcript,
            "messages": [{"author": a, "text": t, "at": at.isoformat()} for a, t, at in messages],
        }
    )


async def _reply_text(request: web.Request) -> str | web.Response:
    """The text of an agent's reply, or the error that says what is wrong with it."""
    body = await json_object(request, '{"text": "..."}')
    if isinstance(body, web.Response):
        return body
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return json_error(400, "`text` must be a non-empty string")
    if len(text) > MAX_REPLY_CHARS:
        return json_error(400, f"`text` is limited to {MAX_REPLY_CHARS} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json_error(400, "`text` must be valid Unicode text")
    return text


async def act(request: web.Request) -> web.Response:
    """Take, close or reply to a ticket, as the agent whose token the request bears."""
    number = _ticket_id(request)
    action = request.match_info["action"]
    if number is None:
        return json_error(404, "no such ticket")
    if action not in ("take", "close", "reply"):
        return json_error(404, f"unknown action {action!r}")
    desk, agent = request.app[DESK], request[AGENT]
    try:
        if action == "reply":
            text = await _reply_text(request)
            if isinstance(text, web.Response):
                return text
            done = await asyncio.to_thread(desk.reply, agent, number, text, "web")
        else:
            perform = desk.take if action == "take" else desk.close
            done = await asyncio.to_thread(perform, agent, number, "web")
    except DeskRefused as exc:
        return json_error(409, str(exc))
    return web.json_response(_ticket_json(done))


DESK_ROUTES: list[web.AbstractRouteDef] = [
    web.get("/desk", page),
    web.get(API + "tickets", tickets),
    web.get(API + "tickets/{ticket_id}", ticket),
    web.post(API + "tickets/{ticket_id}/{action}", act),
]
