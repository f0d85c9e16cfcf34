"""Zammad through its REST API (`/api/v1`), on aiohttp, with an agent's access token
(`Authorization: Token token=…`).

A ticket is created with `POST tickets` and its first article; the requester's messages are articles sent as the
`Customer`, public (`internal: false`); agents' articles (`sender: Agent`) that are not internal reach the user. A
ticket whose state (`ticket_states`, by name) is one of `closed_states` is over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.helpdesk.plain import as_html, plain_text
from bot.helpdesk.port import ExternalState, Followup, HelpdeskError, NewTicket


@dataclass(frozen=True)
class ZammadTicketSystem:
    """`url` is the server's root (the adapter adds `/api/v1`); `group` receives the tickets (the category);
    `customer` is the address of whom a ticket is for when the requester has no known address (Zammad finds or
    creates its customer by address: `customer_id: "guess:<address>"`)."""

    url: str
    token: str
    group: str
    customer: str
    closed_states: tuple[str, ...] = ("closed", "merged")
    timeout_seconds: float = 10.0
    name: str = "zammad"

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ZammadSession]:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"Authorization": f"Token token={self.token}"}
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as http:
            yield ZammadSession(self, http)

    def webhook_ticket_id(self, payload: Any) -> int | None:
        """A Zammad trigger's webhook payload (`{"ticket": {…}, "article": {…}}`)."""
        ticket = payload.get("ticket") if isinstance(payload, dict) else None
        value = ticket.get("id") if isinstance(ticket, dict) else None
        return value if isinstance(value, int) else None


@dataclass
class ZammadSession:
    system: ZammadTicketSystem
    http: aiohttp.ClientSession
    _states: dict[int, str] = field(default_factory=dict)

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.system.url.rstrip('/')}/api/v1/{path}"
        try:
            async with self.http.request(method, url, json=body) as reply:
                data = await reply.json(content_type=None) if reply.content_length != 0 else None
                if reply.status >= 400:
                    error = data.get("error") if isinstance(data, dict) else None
                    raise HelpdeskError(f"HTTP {reply.status}", str(error or ""))
                return data
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HelpdeskError("UNREACHABLE", type(exc).__name__) from exc

    async def create(self, ticket: NewTicket) -> int:
        article = {
            "subject": ticket.title,
            "body": as_html(ticket.content),
            "content_type": "text/html",
            "type": "note",
            "internal": False,
            "sender": "Customer",
        }
        created = await self._call(
            "POST",
            "tickets",
            {
                "title": ticket.title,
                "group": self.system.group,
                "customer_id": f"guess:{ticket.requester.email or self.system.customer}",
                "article": article,
            },
        )
        return int(created["id"])

    async def add_followup(self, external_id: int, text: str) -> int:
        created = await self._call(
            "POST",
            "ticket_articles",
            {
                "ticket_id": external_id,
                "body": as_html(text),
                "content_type": "text/html",
                "type": "note",
                "internal": False,
                "sender": "Customer",
            },
        )
        return int(created["id"])

    async def followups(self, external_id: int) -> list[Followup]:
        rows = await self._call("GET", f"ticket_articles/by_ticket/{external_id}")
        return sorted(
            (
                Followup(
                    id=int(row["id"]),
                    text=plain_text(str(row.get("body") or "")),
                    public=not row.get("internal"),
                    by_agent=row.get("sender") == "Agent",
                )
                for row in rows or []
            ),
            key=lambda f: f.id,
        )

    async def state(self, external_id: int) -> ExternalState:
        ticket = await self._call("GET", f"tickets/{external_id}")
        if not self._states:
            self._states = {int(s["id"]): str(s["name"]) for s in await self._call("GET", "ticket_states")}
        name = self._states.get(int(ticket["state_id"]), "")
        return ExternalState.CLOSED if name in self.system.closed_states else ExternalState.OPEN
