"""The web channel: Rasa's REST channel protocol, the chat page, and the inbox the page polls.

`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}` answers
`[{"recipient_id": "...", "text": "...", "buttons": [{"title": "...", "payload": "..."}]}]`, so existing
Rasa web-chat widgets can talk to the assistant. Turns run in worker threads: the event loop never
waits on the database, the directory or the mail server. They have a pool of their own (`TURN_THREADS`),
apart from the loop's default pool (6 threads on 2 cores) that the quick database calls use: a few turns
stuck on a slow directory take a few of its threads, not the whole server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.assistant import Assistant, InboundMessage
from bot.channels.desk_web import desk_routes

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
SENDER = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
MAX_BODY_BYTES = 64 * 1024
TURN_THREADS = 32  # turns at once; one stuck on the directory lasts at most its timeouts (seconds)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"""
VALIDATED_PAGE = _PAGE.format(
    title="Adresse de secours validée",
    text="Merci : votre adresse de secours est validée. Elle vous servira si vous perdez votre mot de passe. "
    "Vous pouvez fermer cette page.",
)
DEAD_LINK_PAGE = _PAGE.format(
    title="Lien expiré ou déjà utilisé",
    text="Ce lien de validation n'est plus valable : il expire au bout de 48 heures et ne sert qu'une fois. "
    "Demandez-en un nouveau à l'assistant (« mon lien a expiré »).",
)


BUSY_PAGE = _PAGE.format(
    title="Trop de demandes",
    text="Trop de demandes viennent de votre réseau en ce moment. Votre lien est toujours valable : "
    "rouvrez-le dans une minute.",
)


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


def web_sender(raw: Any) -> str | None:
    """The sender id of a web chat, namespaced so it can never pose as another channel's user."""
    if not isinstance(raw, str) or not SENDER.match(raw):
        return None
    return f"web:{raw}"


def build_web_app(
    assistant: Assistant, extra_routes: list[web.RouteDef] | None = None, agent_token: str | None = None
) -> web.Application:
    """The chat page and REST channel, the agents' desk (`/desk`), and any channel's extra routes."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    services = assistant.services
    turns = ThreadPoolExecutor(max_workers=TURN_THREADS, thread_name_prefix="clef-turn")

    async def stop_turns(_: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(None, partial(turns.shutdown, wait=True, cancel_futures=True))

    app.on_cleanup.append(stop_turns)

    def over_limit(request: web.Request) -> bool:
        """Per-client-address limit: sender ids are chosen by clients, addresses are not."""
        key = f"web:ip:{client_address(request, services.config.web.trusted_proxies)}"
        return not services.limiter.hit(key, services.config.web.requests_per_ip, services.now())

    async def webhook(request: web.Request) -> web.Response:
        if await asyncio.to_thread(over_limit, request):
            return _error(429, "too many requests from this address: wait a minute")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            return _error(400, "the body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        sender = web_sender(body.get("sender"))
        message = body.get("message")
        if sender is None:
            return _error(400, "`sender` must be 1 to 64 letters, digits, '-', '_', '.' or ':'")
        if not isinstance(message, str):
            return _error(400, "`message` must be a string")
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(turns, assistant.handle, InboundMessage(sender, message))
        recipient = sender.removeprefix("web:")
        messages = result.messages + await asyncio.to_thread(services.relay.take, sender)
        return web.json_response([m.as_rest(recipient) for m in messages])

    async def inbox(request: web.Request) -> web.Response:
        sender = web_sender(request.query.get("sender"))
        if sender is None:
            return _error(400, "`sender` is missing or malformed")
        recipient = sender.removeprefix("web:")
        waiting = await asyncio.to_thread(services.relay.take, sender)
        return web.json_response([m.as_rest(recipient) for m in waiting])

    async def validate_address(request: web.Request) -> web.Response:
        token = request.query.get("jeton", "")
        if await asyncio.to_thread(over_limit, request):
            return web.Response(text=BUSY_PAGE, content_type="text/html", status=429)
        login = None
        if 0 < len(token) <= 64:
            login = await asyncio.to_thread(services.activation.validate_backup_address, token, services.now())
        page = VALIDATED_PAGE if login else DEAD_LINK_PAGE
        return web.Response(text=page, content_type="text/html", status=200 if login else 410)

    async def status(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-cache"})

    app.add_routes(
        [
            web.get("/", page),
            web.get("/health", status),
            web.get("/webhooks/rest/", status),
            web.post("/webhooks/rest/webhook", webhook),
            web.get("/api/inbox", inbox),
            web.get("/adresse/valider", validate_address),
            web.static("/static", STATIC),
        ]
        + desk_routes(assistant.services, agent_token)
        + (extra_routes or [])
    )
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner
