"""Rasa's socket.io channel beside the REST one, on the same aiohttp server (python-socketio), for the sites that
embed Rasa's web-chat widget (`rasa-webchat`) rather than the assistant's own page.

The conventions of Rasa's `SocketIOInput` with `session_persistence: true`, at `/socket.io/`:

- `session_request` `{"session_id": …}` → `session_confirm` with the session id: the one the client sent back
  when it is a well-formed web sender id (the same conversation as before), else a new one. The socket joins
  the session's room, and what waited for the chat while no socket was connected is emitted to it.
- `user_uttered` `{"message": …, "session_id": …}` → the REST channel's turn for sender `web:<session id>`
  (`WebChat.turn`: the same sender ids, per-address limits and redaction), whose messages go to the session's
  room as `bot_uttered`: `{"text"}`, or `{"text", "quick_replies"}` with `{"content_type": "text", "title",
  "payload"}` for a button and the REST channel's `{"title", "type": "web_url", "url"}` for a link.
- what arrives later for the chat (an agent's answer, an ADML decision, the CAS login's confirmation) is
  emitted to the room as it happens, through the relay's `web` deliverer, when a socket of the session is
  connected to this process; otherwise it waits in the chat's inbox, for the next `session_request` or, when
  another instance sharing the database produced it, for the sweep of the connected sessions' inboxes
  (every `web.socket_sweep_seconds`).

Browsers may connect from the server's own origin, its `web.public_url`, and `web.widget_origins`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import urlsplit

import socketio
from aiohttp import web

from bot.channels.loop import run_on
from bot.channels.web_input import is_unicode_text, web_sender
from bot.messages import Button, InboundMessage, OutboundMessage, split_sender
from bot.services import Services
from bot.storage.db import UNAVAILABLE_ERRORS
from bot.texts import text

log = logging.getLogger(__name__)

SOCKET_PATH = "socket.io"
CHANNEL = "web"
MAX_PACKET_BYTES = 64 * 1024


class WebChat(Protocol):
    """What the socket.io channel shares with the REST channel (`bot.channels.web.WebChatHooks`)."""

    def address(self, request: web.Request) -> str: ...

    def within_limit(self, address: str) -> bool: ...

    def within_inbox_limit(self, address: str) -> bool: ...

    async def turn(self, inbound: InboundMessage) -> list[OutboundMessage]: ...

    def database_down(self) -> OutboundMessage: ...


def quick_reply(button: Button) -> dict[str, str]:
    """A button as rasa-webchat reads it in `quick_replies`; a link keeps the REST channel's `web_url` shape."""
    if button.url is not None:
        return button.as_rest()
    return {"content_type": "text", "title": button.title, "payload": button.payload}


def bot_uttered(message: OutboundMessage) -> dict[str, object]:
    """The `bot_uttered` body of a message: exactly `text`, plus `quick_replies` when it has buttons (the widget
    reads a message with other keys as something else)."""
    body: dict[str, object] = {"text": message.text}
    if message.buttons:
        body["quick_replies"] = [quick_reply(b) for b in message.buttons]
    return body


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Rooms:
    """Which sockets are in which session's room, read by the relay's deliverer from any thread."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[str]] = {}
        self._session_of: dict[str, str] = {}
        self._lock = threading.Lock()

    def join(self, sid: str, session: str) -> str | None:
        """Put socket `sid` in `session`; the session it leaves, if any."""
        with self._lock:
            previous = self._leave(sid)
            self._session_of[sid] = session
            self._sockets.setdefault(session, set()).add(sid)
            return previous

    def leave(self, sid: str) -> None:
        with self._lock:
            self._leave(sid)

    def _leave(self, sid: str) -> str | None:
        previous = self._session_of.pop(sid, None)
        if previous is not None:
            sockets = self._sockets.get(previous, set())
            sockets.discard(sid)
            if not sockets:
                self._sockets.pop(previous, None)
        return previous

    def session_of(self, sid: str) -> str | None:
        with self._lock:
            return self._session_of.get(sid)

    def connected(self, session: str) -> bool:
        with self._lock:
            return session in self._sockets

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._sockets)


class SocketChannel:
    """The socket.io server of the web chat and the relay's deliverer for `web:` chats."""

    def __init__(self, services: Services, chat: WebChat) -> None:
        self.services = services
        self.chat = chat
        web_settings = services.config.web
        self.origins = {_origin(str(web_settings.public_url)), *(_origin(o) for o in web_settings.widget_origins)}
        self.rooms = Rooms()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins=self._allowed,
            max_http_buffer_size=MAX_PACKET_BYTES,
            logger=False,
            engineio_logger=False,
        )
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("session_request", self._session_request)
        self.sio.on("user_uttered", self._user_uttered)

    def _allowed(self, origin: str | None, environ: dict[str, Any]) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin is not None and (origin == own or origin in self.origins)

    # -- socket.io events --------------------------------------------------------------------------------
    async def _connect(self, sid: str, environ: dict[str, Any], _auth: Any = None) -> None:
        await self.sio.save_session(sid, {"address": self.chat.address(environ["aiohttp.request"])})

    async def _disconnect(self, sid: str, *_: Any) -> None:
        self.rooms.leave(sid)

    async def _session_request(self, sid: str, data: Any = None) -> None:
        asked = data.get("session_id") if isinstance(data, dict) else None
        session = asked if isinstance(asked, str) and web_sender(asked) is not None else uuid.uuid4().hex
        await self._join(sid, session)
        await self.sio.emit("session_confirm", session, to=sid)
        address = (await self.sio.get_session(sid))["address"]
        try:
            may_read = await asyncio.to_thread(self.chat.within_inbox_limit, address)
        except UNAVAILABLE_ERRORS:
            may_read = False
        if may_read:  # counted as the page's inbox polls are; else it waits for the sweep or the next request
            waiting = await self._take([session])
            await self._emit(session, waiting.get(session, []))

    async def _user_uttered(self, sid: str, data: Any = None) -> dict[str, str] | None:
        """One message of the chat; a malformed one gets its error as the event's acknowledgement."""
        if not isinstance(data, dict):
            return {"error": 'the data must be an object: {"message": "...", "session_id": "..."}'}
        session = data.get("session_id") or self.rooms.session_of(sid)
        sender = web_sender(session)
        message = data.get("message", "")
        if sender is None or not isinstance(session, str):
            return {"error": "`session_id` must be 1 to 64 letters, digits, '-', '_', '.' or ':'"}
        if not isinstance(message, str) or not is_unicode_text(message):
            return {"error": "`message` must be a string of valid Unicode text"}
        if self.rooms.session_of(sid) != session:
            await self._join(sid, session)
        address = (await self.sio.get_session(sid))["address"]
        await self._emit(session, await self._answer(InboundMessage(sender, message, client_address=address)))
        return None

    async def _answer(self, inbound: InboundMessage) -> list[OutboundMessage]:
        try:
            if not await asyncio.to_thread(self.chat.within_limit, inbound.client_address or ""):
                return [OutboundMessage(text("web_socket_busy"))]
            return await self.chat.turn(inbound)
        except UNAVAILABLE_ERRORS as exc:
            log.warning("database unavailable for a socket.io turn: %s", str(exc).splitlines()[0])
            return [self.chat.database_down()]

    async def _join(self, sid: str, session: str) -> None:
        previous = self.rooms.join(sid, session)
        if previous is not None and previous != session:
            await self.sio.leave_room(sid, previous)
        await self.sio.enter_room(sid, session)

    async def _emit(self, session: str, messages: list[OutboundMessage]) -> None:
        for message in messages:
            if message.text or message.buttons:
                await self.sio.emit("bot_uttered", bot_uttered(message), room=session)

    # -- what arrives later -------------------------------------------------------------------------------
    def on_socket(self, sender_id: str) -> bool:
        """Whether a socket of this web chat's session is connected here (what arrives for it is pushed)."""
        channel, session = split_sender(sender_id)
        return channel == CHANNEL and self.rooms.connected(session)

    def deliver(self, sender_id: str, messages: list[OutboundMessage]) -> bool:
        """The relay's deliverer for `web:` chats, from any thread: True when a socket of the session is here."""
        session = split_sender(sender_id)[1]
        if self._loop is None or not self.on_socket(sender_id):
            return False
        run_on(self._loop, self._emit_or_keep(session, messages))
        return True

    async def _emit_or_keep(self, session: str, messages: list[OutboundMessage]) -> None:
        """Emit to the session's room, or keep in the chat's inbox when its last socket left in the meantime."""
        if self.rooms.connected(session):
            await self._emit(session, messages)
        else:
            await asyncio.to_thread(self.services.relay.keep, f"{CHANNEL}:{session}", messages)

    async def _take(self, sessions: list[str]) -> dict[str, list[OutboundMessage]]:
        """What waits in the inboxes of `sessions` (taken: removed from them); one query finds which have any."""
        relay = self.services.relay

        def take() -> dict[str, list[OutboundMessage]]:
            senders = relay.waiting([f"{CHANNEL}:{session}" for session in sessions])
            return {split_sender(sender)[1]: relay.take(sender) for sender in senders}

        try:
            return await asyncio.to_thread(take)
        except UNAVAILABLE_ERRORS:  # they stay in the inbox for the next sweep
            return {}

    async def sweep(self) -> None:
        """Emit what other instances left in the inboxes of the sessions connected here, now and then."""
        while True:
            await asyncio.sleep(self.services.config.web.socket_sweep_seconds)
            sessions = self.rooms.sessions()
            if sessions:
                for session, waiting in (await self._take(sessions)).items():
                    await self._emit(session, waiting)

    async def running(self, _: web.Application) -> AsyncIterator[None]:
        """The server's life: the relay's `web` deliverer and the sweep, from start-up to clean-up."""
        self._loop = asyncio.get_running_loop()
        relay = self.services.relay
        relay.register(CHANNEL, self.deliver)
        sweeping = asyncio.create_task(self.sweep())
        yield
        sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeping
        if relay.deliverers.get(CHANNEL) == self.deliver:
            relay.deliverers.pop(CHANNEL)
        self._loop = None


def install_socket(app: web.Application, services: Services, chat: WebChat) -> SocketChannel:
    """Serve Rasa's socket.io channel on `app` at `/socket.io/`."""
    channel = SocketChannel(services, chat)
    channel.sio.attach(app, socketio_path=SOCKET_PATH)
    app.cleanup_ctx.append(channel.running)
    return channel
