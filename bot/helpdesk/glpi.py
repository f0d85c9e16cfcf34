"""GLPI through its REST API (`apirest.php`, the API of GLPI 9.5 to 11), on aiohttp.

Each run opens a session (`initSession` with the App-Token and the API user's `user_token`), sends its
`Session-Token` on every call and ends it (`killSession`). A ticket is created with `POST Ticket` (`input` as an
object), the requester's messages go as public `ITILFollowup`s, and its status (1 new … 4 pending, 5 solved,
6 closed) says when it is over. GLPI answers an error with a JSON array `["ERROR_…", "message"]`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.helpdesk.plain import as_html, plain_text
from bot.helpdesk.port import ExternalState, Followup, HelpdeskError, NewTicket

SOLVED, CLOSED = 5, 6
FOLLOWUPS_RANGE = "0-499"  # at most this many followups are read per ticket and run (GLPI's default is 0-50)


def _error(status: int, body: Any) -> HelpdeskError:
    if isinstance(body, list) and body and isinstance(body[0], str) and body[0].startswith("ERROR"):
        return HelpdeskError(body[0], str(body[1]) if len(body) > 1 else "")
    return HelpdeskError(f"HTTP {status}")


@dataclass(frozen=True)
class GlpiTicketSystem:
    """`api_url` ends with `apirest.php`; `category_id` is the ITIL category of the tickets (none: GLPI's default)."""

    api_url: str
    app_token: str | None
    user_token: str
    category_id: int | None = None
    entity_id: int | None = None
    requester_user_id: int | None = None
    timeout_seconds: float = 10.0
    name: str = "glpi"

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[GlpiSession]:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"App-Token": self.app_token} if self.app_token else {}
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as http:
            session = GlpiSession(self, http)
            await session.open()
            try:
                yield session
            finally:
                await session.close()

    def webhook_ticket_id(self, payload: Any) -> int | None:
        """A GLPI 11 webhook's payload (`{"event": …, "item": {…}}`): the ticket itself, or a followup's ticket."""
        item = payload.get("item") if isinstance(payload, dict) else None
        if not isinstance(item, dict):
            return None
        value = item.get("items_id") if item.get("itemtype") == "Ticket" else item.get("id")
        return value if isinstance(value, int) else None


class GlpiSession:
    def __init__(self, system: GlpiTicketSystem, http: aiohttp.ClientSession) -> None:
        self.system = system
        self.http = http
        self.token: str | None = None
        self.own_user_id: int | None = None

    def _url(self, path: str) -> str:
        return f"{self.system.api_url.rstrip('/')}/{path}"

    async def _call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        headers = {"Session-Token": self.token} if self.token else {}
        try:
            async with self.http.request(method, self._url(path), json=body, params=params, headers=headers) as reply:
                data = await reply.json(content_type=None) if reply.content_length != 0 else None
                if reply.status >= 400:
                    raise _error(reply.status, data)
                return data
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HelpdeskError("UNREACHABLE", type(exc).__name__) from exc

    async def open(self) -> None:
        authorization = {"Authorization": f"user_token {self.system.user_token}"}
        try:
            async with self.http.get(self._url("initSession"), headers=authorization) as reply:
                data = await reply.json(content_type=None)
                if reply.status >= 400:
                    raise _error(reply.status, data)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HelpdeskError("UNREACHABLE", type(exc).__name__) from exc
        self.token = str(data["session_token"])
        session = (await self._call("GET", "getFullSession")).get("session", {})
        self.own_user_id = int(session["glpiID"]) if "glpiID" in session else None

    async def close(self) -> None:
        if self.token is not None:
            with suppress(HelpdeskError):  # the session expires by itself
                await self._call("GET", "killSession")
            self.token = None

    async def create(self, ticket: NewTicket) -> int:
        fields: dict[str, Any] = {"name": ticket.title, "content": as_html(ticket.content), "type": 2}
        if self.system.category_id is not None:
            fields["itilcategories_id"] = self.system.category_id
        if self.system.entity_id is not None:
            fields["entities_id"] = self.system.entity_id
        if self.system.requester_user_id is not None:
            fields["_users_id_requester"] = self.system.requester_user_id
        if ticket.requester.email:
            fields["_users_id_requester_notif"] = {"use_notification": 1, "alternative_email": [ticket.requester.email]}
        created = await self._call("POST", "Ticket", {"input": fields})
        return int(created["id"])

    async def add_followup(self, external_id: int, text: str) -> int:
        fields = {"itemtype": "Ticket", "items_id": external_id, "content": as_html(text), "is_private": 0}
        created = await self._call("POST", "ITILFollowup", {"input": fields})
        return int(created["id"])

    async def followups(self, external_id: int) -> list[Followup]:
        rows = await self._call(
            "GET", f"Ticket/{external_id}/ITILFollowup", params={"range": FOLLOWUPS_RANGE, "sort": "id", "order": "ASC"}
        )
        return sorted(
            (
                Followup(
                    id=int(row["id"]),
                    text=plain_text(str(row.get("content") or "")),
                    public=not int(row.get("is_private") or 0),
                    by_agent=row.get("users_id") != self.own_user_id,
                )
                for row in rows or []
            ),
            key=lambda f: f.id,
        )

    async def state(self, external_id: int) -> ExternalState:
        ticket = await self._call("GET", f"Ticket/{external_id}")
        status = int(ticket["status"])
        if status == CLOSED:
            return ExternalState.CLOSED
        return ExternalState.SOLVED if status == SOLVED else ExternalState.OPEN
