"""The return from the ENT's login (CAS) on the web server: `GET /cas/callback?state=…&ticket=…`.

The CAS sends the browser back here with a service ticket; `CasLogin.finish` does the rest (the single-use
state, the ticket's validation by the CAS, the link, telling the chat). The browser then goes back to the chat
page when a web chat was linked (the page shows the message waiting in its inbox), and otherwise reads a page
that says what happened: for a Telegram chat, or a web-chat widget's (socket.io, the message pushed to it), that
the answer is in the chat. Returns are counted per client
address (`web.cas_callbacks_per_ip`) before anything else; a state works once, whatever its outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.cas.client import AiohttpTicketValidator
from bot.channels.web_pages import PAGES
from bot.core.cas import CALLBACK_PATH, plausible_state, plausible_ticket
from bot.messages import channel_of
from bot.services import Services
from bot.services.cas_login import BUSY, UNAVAILABLE, CasFinish, CasLogin
from bot.storage.cas_states import StateCheck

CAS_LOGIN = web.AppKey("cas_login", CasLogin)
CAS_ADDRESS: web.AppKey[Callable[[web.Request], str]] = web.AppKey("cas_address_of")
CAS_ON_SOCKET: web.AppKey[Callable[[str], bool]] = web.AppKey("cas_chat_on_socket")
CHAT_PAGE = "/"


def install_cas(
    app: web.Application,
    services: Services,
    address_of: Callable[[web.Request], str],
    on_socket: Callable[[str], bool],
) -> None:
    """Give `app` the CAS return route's service, with a ticket validator on the server's event loop.
    `on_socket` tells a chat of the web-chat widget (a socket.io session connected here) from one of the page."""
    validator = AiohttpTicketValidator()
    app[CAS_LOGIN] = CasLogin(services, validator)
    app[CAS_ADDRESS] = address_of
    app[CAS_ON_SOCKET] = on_socket

    async def close_validator(_: web.Application) -> AsyncIterator[None]:
        yield
        await validator.close()

    app.cleanup_ctx.append(close_validator)


def _status(finish: CasFinish) -> int:
    if finish.reason == BUSY:
        return 429
    if finish.reason == UNAVAILABLE:
        return 503
    if finish.reason in (StateCheck.USED.value, StateCheck.EXPIRED.value):
        return 410
    return 403


def _page(request: web.Request, finish: CasFinish) -> web.StreamResponse:
    pages = request.app[PAGES]
    web_chat = finish.sender_id is None or channel_of(finish.sender_id) == "web"
    if finish.linked:
        on_socket = finish.sender_id is not None and request.app[CAS_ON_SOCKET](finish.sender_id)
        if web_chat and not on_socket:  # back to the chat page, where the message that it is linked waits
            return web.Response(status=303, headers={"Location": CHAT_PAGE, "Cache-Control": "no-store"})
        return pages.render("cas_linked", 200, values={"login": finish.login or ""})
    link = (CHAT_PAGE, "back_to_chat") if web_chat else None
    return pages.render("cas_refused", _status(finish), values={"reason": finish.message()}, link=link)


async def callback(request: web.Request) -> web.StreamResponse:
    login = request.app[CAS_LOGIN]
    services = login.services
    address = request.app[CAS_ADDRESS](request)
    limit = services.config.web.cas_callbacks_per_ip
    if not await asyncio.to_thread(services.limiter.hit, f"web:cas:{address}", limit, services.now()):
        return _page(request, CasFinish(None, BUSY))
    state, ticket = request.query.get("state", ""), request.query.get("ticket")
    if not plausible_state(state):
        return _page(request, CasFinish(None, StateCheck.UNKNOWN.value))
    finish = await login.finish(state, ticket if ticket and plausible_ticket(ticket) else None, address)
    return _page(request, finish)


CAS_ROUTES: list[web.AbstractRouteDef] = [web.get(CALLBACK_PATH, callback)]
