"""The web channel: Rasa's REST channel protocol, the chat page, the inbox the page polls, and the return from
the ENT's login (`/cas/callback`, `bot.channels.cas_web`).

`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}` answers
`[{"recipient_id": "...", "text": "...", "buttons": [{"title": "...", "payload": "..."}]}]`, so existing
Rasa web-chat widgets can talk to the assistant; those that speak socket.io find Rasa's socket.io channel on the
same server (`bot.channels.web_socket`, which runs its turns through `web_turn` too). Turns run in worker
threads: the event loop never waits on the database, the directory or the mail server. They have a pool of
their own (`TURN_THREADS`), apart from the loop's default pool (6 threads on 2 cores) that the quick database
calls use: a few turns stuck on a slow directory take a few of its threads, not the whole server.

Every response carries the security headers (`SECURITY_HEADERS`); the pages load their scripts and
styles from /static so that the policy needs no inline code. The French texts of the pages that are
not the chat (the validation link's) live in knowledge/web-pages.yml.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from aiohttp import web

from bot.channels.cas_web import CAS_ROUTES, install_cas
from bot.channels.dashboard_web import DASHBOARD_ROUTES, install_dashboard
from bot.channels.desk_teach import TEACH_ROUTES, install_teaching
from bot.channels.desk_web import DESK_ROUTES, desk_auth, install_desk
from bot.channels.web_input import is_unicode_text, web_sender
from bot.channels.web_pages import PAGES, PAGES_FILE, WebPages, with_banners
from bot.channels.web_socket import install_socket
from bot.config import RateLimit
from bot.core.authz import Actor
from bot.messages import InboundMessage, OutboundMessage, split_sender
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.notices import freeze_banners
from bot.storage.db import UNAVAILABLE_ERRORS, database_problem, statements_together

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024
TURN_THREADS = 32  # turns at once; one stuck on the directory lasts at most its timeouts (seconds)
MAX_TOKEN_CHARS = 64

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def client_address(request: web.Request, trusted_proxies: list[str]) -> str:
    """The client's address: the peer, or behind a trusted reverse proxy the last address it forwarded for."""
    peer = request.remote or "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    untrusted = [address for address in forwarded if address not in trusted_proxies]
    return untrusted[-1] if untrusted else peer


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _security_headers(_: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


class TicketBudget:
    """Tickets opened per client address: the gate `Services.ticket_gates` asks, and the address of the turn.

    Sender ids are chosen by clients, addresses are not: without this a client inventing sender ids
    opens as many tickets as it likes. The address is the one of the turn running in this worker thread.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._local = threading.local()

    @contextmanager
    def turn_from(self, address: str | None) -> Iterator[None]:
        self._local.address = address
        try:
            yield
        finally:
            self._local.address = None

    def allows(self, _: Actor) -> bool:
        address = getattr(self._local, "address", None)
        if address is None:  # not a web turn
            return True
        services = self._services
        return services.limiter.hit(f"web:tickets:{address}", services.config.web.tickets_per_ip, services.now())


ASSISTANT = web.AppKey("assistant", Assistant)
BUDGET = web.AppKey("ticket_budget", TicketBudget)
TURNS = web.AppKey("turns", ThreadPoolExecutor)


def _services(request: web.Request) -> Services:
    return request.app[ASSISTANT].services


def address_of(request: web.Request) -> str:
    """The client's address of `request`, behind the configured trusted proxies."""
    return client_address(request, _services(request).config.web.trusted_proxies)


def hit_from(services: Services, address: str, kind: str, limit: RateLimit) -> bool:
    """Count one `kind` of request from `address` against `limit`; True when within it."""
    return services.limiter.hit(f"web:{kind}:{address}", limit, services.now())


def _hit(request: web.Request, kind: str, limit: RateLimit) -> bool:
    """Count this request against the client address's `limit`; True when within it."""
    return hit_from(_services(request), address_of(request), kind, limit)


def _over_limit(request: web.Request) -> bool:
    """Per-client-address limit: sender ids are chosen by clients, addresses are not."""
    return not _hit(request, "ip", _services(request).config.web.requests_per_ip)


@web.middleware
async def database_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A locked, read-only or unreachable database is a 503 that says so, never a traceback page."""
    try:
        return await handler(request)
    except UNAVAILABLE_ERRORS as exc:
        log.warning("database unavailable for %s: %s", request.path, str(exc).splitlines()[0])
        if request.path.startswith(("/adresse/", "/cas/")):
            return request.app[PAGES].render("unavailable", 503)
        return _error(503, "the database is unavailable: try again in a minute")


def database_down(assistant: Assistant) -> OutboundMessage:
    """What a web chat reads when the database cannot take its message."""
    rendered = assistant.engine.domain.render("utter_database_down", {}, {}) or {"text": ""}
    return OutboundMessage(rendered["text"])


def _database_down(request: web.Request, recipient: str) -> web.Response:
    return web.json_response([database_down(request.app[ASSISTANT]).as_rest(recipient)])


def _waiting_for(services: Services, sender: str) -> list[OutboundMessage]:
    try:
        return services.relay.take(sender)
    except UNAVAILABLE_ERRORS:  # they stay in the inbox for the next poll
        return []


async def _inbound(request: web.Request) -> InboundMessage | web.Response:
    """The message a webhook request carries, or the error response that says what is wrong with it."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _error(400, 'the body must be JSON: {"sender": "...", "message": "..."}')
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object")
    sender = web_sender(body.get("sender"))
    message = body.get("message")
    if sender is None:
        return _error(400, "`sender` must be 1 to 64 letters, digits, '-', '_', '.' or ':'")
    if not isinstance(message, str):
        return _error(400, "`message` must be a string")
    if not is_unicode_text(message):
        return _error(400, "`message` must be valid Unicode text (it holds a lone surrogate escape)")
    return InboundMessage(sender, message, client_address=address_of(request))


async def webhook(request: web.Request) -> web.Response:
    """Rasa's REST channel: one message in, the turn's messages (and the inbox's) out."""
    if request.content_type != "application/json":  # refuses the cross-site "simple" POSTs (text/plain, forms)
        return _error(415, "the body must be sent as application/json")
    inbound = await _inbound(request)
    try:
        if isinstance(inbound, web.Response):  # counted all the same: a flood of bad bodies is a flood
            return _error(429, TOO_MANY) if await asyncio.to_thread(_over_limit, request) else inbound
        messages = await web_turn(request.app, inbound, admitted=lambda: not _over_limit(request))
    except UNAVAILABLE_ERRORS:
        return _database_down(request, "")
    if messages is None:
        return _error(429, TOO_MANY)
    recipient = split_sender(inbound.sender_id)[1]
    return web.json_response([m.as_rest(recipient) for m in messages])


TOO_MANY = "too many requests from this address: wait a minute"


async def web_turn(
    app: web.Application, inbound: InboundMessage, admitted: Callable[[], bool] | None = None
) -> list[OutboundMessage] | None:
    """A web chat's turn, from the REST channel or socket.io: in the turn pool, counted against the client
    address's ticket budget; the turn's messages, then what waited for the chat. `admitted` (the address's request
    limit) is asked first, in the same trip to the pool (one thread hop a message): None when it says no. The limit,
    the turn's reads and the inbox share one database connection."""
    assistant, budget = app[ASSISTANT], app[BUDGET]

    def run_turn() -> list[OutboundMessage] | None:
        with statements_together(assistant.services.database):
            if admitted is not None and not admitted():
                return None
            with budget.turn_from(inbound.client_address):
                result = assistant.handle(inbound)
            return result.messages + _waiting_for(assistant.services, inbound.sender_id)

    return await asyncio.get_running_loop().run_in_executor(app[TURNS], run_turn)


async def inbox(request: web.Request) -> web.Response:
    """What waits for a web chat (an agent's answer, a decision): the page polls it."""
    sender = web_sender(request.query.get("sender"))
    if sender is None:
        return _error(400, "`sender` is missing or malformed")
    if not await asyncio.to_thread(_hit, request, "inbox", _services(request).config.web.inbox_requests_per_ip):
        return _error(429, "too many inbox requests from this address: poll less often")
    waiting = await asyncio.to_thread(_services(request).relay.take, sender)
    return web.json_response([m.as_rest(split_sender(sender)[1]) for m in waiting])


def _plausible(token: str) -> bool:
    return 0 < len(token) <= MAX_TOKEN_CHARS and is_unicode_text(token)


async def confirm_address(request: web.Request) -> web.Response:
    """The link's page: it only asks. Mail scanners fetch links; only the person's click (a POST) validates."""
    pages, services = request.app[PAGES], _services(request)
    token = request.query.get("jeton", "")
    if await asyncio.to_thread(_over_limit, request):
        return pages.render("busy", 429)
    alive = _plausible(token) and await asyncio.to_thread(
        services.activation.validation_link_alive, token, services.now()
    )
    return pages.render("confirm_address", 200, token=token) if alive else _dead_link(request)


async def validate_address(request: web.Request) -> web.Response:
    pages, services = request.app[PAGES], _services(request)
    if await asyncio.to_thread(_over_limit, request):
        return pages.render("busy", 429)
    form = await request.post()
    token = form.get("jeton")
    login = None
    if isinstance(token, str) and _plausible(token):
        login = await asyncio.to_thread(services.activation.validate_backup_address, token, services.now())
    return pages.render("validated", 200) if login else _dead_link(request)


def _dead_link(request: web.Request) -> web.Response:
    """The page of a spent or expired link, with the link lifetime of config.yml (`validation_link_hours`)."""
    hours = _services(request).link_hours(None)
    return request.app[PAGES].render("dead_link", 410, values={"validation_link_hours": str(hours)})


async def status(request: web.Request) -> web.Response:
    problem = await asyncio.to_thread(database_problem, _services(request).database)
    if problem:
        return web.json_response({"status": "degraded", "database": problem}, status=503)
    return web.json_response({"status": "ok", "database": "ok"}, headers={"X-Clef-Process": str(os.getpid())})


async def page(request: web.Request) -> web.StreamResponse:
    """The chat page; during an ENT's freeze window, with its banner (`bot.services.notices.freeze_banners`)."""
    banners = await asyncio.to_thread(freeze_banners, _services(request))
    if not banners:
        return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-cache"})
    body = with_banners((STATIC / "chat.html").read_text(encoding="utf-8"), banners)
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-cache"})


async def _stop_turns(app: web.Application) -> None:
    turns = app[TURNS]
    await asyncio.get_running_loop().run_in_executor(None, partial(turns.shutdown, wait=True, cancel_futures=True))


class WebChatHooks:
    """What the socket.io channel (`bot.channels.web_socket`) shares with the REST channel: the client's address,
    the per-address limit, the turn and the database-down message."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def address(self, request: web.Request) -> str:
        return address_of(request)

    def within_limit(self, address: str) -> bool:
        services = self._app[ASSISTANT].services
        return hit_from(services, address, "ip", services.config.web.requests_per_ip)

    def within_inbox_limit(self, address: str) -> bool:
        services = self._app[ASSISTANT].services
        return hit_from(services, address, "inbox", services.config.web.inbox_requests_per_ip)

    async def turn(self, inbound: InboundMessage) -> list[OutboundMessage]:
        return await web_turn(self._app, inbound) or []  # admitted by the socket's own limit: never None

    def database_down(self) -> OutboundMessage:
        return database_down(self._app[ASSISTANT])


def build_web_app(
    assistant: Assistant, extra_routes: list[web.RouteDef] | None = None, agent_token: str | None = None
) -> web.Application:
    """The chat page and REST channel, the agents' desk (`/desk`), and any channel's extra routes."""
    services = assistant.services
    budget = TicketBudget(services)
    services.ticket_gates.append(budget.allows)
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[database_guard, desk_auth])
    app[ASSISTANT] = assistant
    app[PAGES] = WebPages(services.config.path(PAGES_FILE))
    app[BUDGET] = budget
    app[TURNS] = ThreadPoolExecutor(max_workers=TURN_THREADS, thread_name_prefix="clef-turn")
    app.on_response_prepare.append(_security_headers)
    app.on_cleanup.append(_stop_turns)
    install_desk(app, services, agent_token, address_of)
    install_teaching(app, services)
    install_dashboard(app, services)
    sockets = install_socket(app, services, WebChatHooks(app))
    install_cas(app, services, address_of, sockets.on_socket)
    routes: list[web.AbstractRouteDef] = [
        web.get("/", page),
        web.get("/health", status),
        web.get("/webhooks/rest/", status),
        web.post("/webhooks/rest/webhook", webhook),
        web.get("/api/inbox", inbox),
        web.get("/adresse/valider", confirm_address),
        web.post("/adresse/valider", validate_address),
        web.static("/static", STATIC),
    ]
    app.add_routes(routes + DESK_ROUTES + TEACH_ROUTES + DASHBOARD_ROUTES + CAS_ROUTES + list(extra_routes or []))
    return app


async def start_web(app: web.Application, host: str, port: int, reuse_port: bool = False) -> web.AppRunner:
    """The app served on `host:port`; `reuse_port`: beside the instance's other web workers on the same port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
    await site.start()
    return runner
