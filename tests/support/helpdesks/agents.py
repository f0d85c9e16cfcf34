"""The agents' side of a helpdesk, through the same documented API (so it works against a real server too): read a
ticket, answer it publicly or privately, solve or close it. Uses an agent's own credential, not the assistant's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bot.helpdesk.plain import plain_text


@dataclass(frozen=True)
class Seen:
    """A ticket as an agent reads it: its title, its content, and its followups' texts with whether public."""

    title: str
    content: str
    followups: list[tuple[str, bool]]


class AgentDesk(Protocol):
    async def read(self, external_id: int) -> Seen: ...

    async def answer(self, external_id: int, text: str, public: bool) -> None: ...

    async def finish(self, external_id: int) -> None:
        """Solved (GLPI, status 5) or closed (Zammad)."""
        ...


@dataclass(frozen=True)
class GlpiAgent:
    api_url: str
    app_token: str | None
    user_token: str

    async def _calls(self, *calls: tuple[str, str, Any]) -> list[Any]:
        headers = {"App-Token": self.app_token} if self.app_token else {}
        base = self.api_url.rstrip("/")
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(f"{base}/initSession", headers={"Authorization": f"user_token {self.user_token}"}) as r:
                token = (await r.json())["session_token"]
            results = []
            for method, path, body in calls:
                async with http.request(method, f"{base}/{path}", json=body, headers={"Session-Token": token}) as r:
                    assert r.status < 400, await r.text()
                    results.append(await r.json(content_type=None))
            async with http.get(f"{base}/killSession", headers={"Session-Token": token}):
                pass
            return results

    async def read(self, external_id: int) -> Seen:
        ticket, followups = await self._calls(
            ("GET", f"Ticket/{external_id}", None),
            ("GET", f"Ticket/{external_id}/ITILFollowup?range=0-999", None),
        )
        return Seen(
            ticket["name"],
            plain_text(ticket["content"]),
            [(plain_text(f["content"]), not f["is_private"]) for f in sorted(followups, key=lambda f: f["id"])],
        )

    async def answer(self, external_id: int, text: str, public: bool) -> None:
        fields = {"itemtype": "Ticket", "items_id": external_id, "content": text, "is_private": 0 if public else 1}
        await self._calls(("POST", "ITILFollowup", {"input": fields}))

    async def finish(self, external_id: int) -> None:
        await self._calls(("PUT", f"Ticket/{external_id}", {"input": {"status": 5}}))


@dataclass(frozen=True)
class ZammadAgent:
    url: str
    token: str

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Token token={self.token}"}
        url = f"{self.url.rstrip('/')}/api/v1/{path}"
        async with aiohttp.ClientSession(headers=headers) as http, http.request(method, url, json=body) as r:
            assert r.status < 400, await r.text()
            return await r.json()

    async def read(self, external_id: int) -> Seen:
        ticket = await self._call("GET", f"tickets/{external_id}")
        first, *rest = await self._call("GET", f"ticket_articles/by_ticket/{external_id}")
        return Seen(
            ticket["title"], plain_text(first["body"]), [(plain_text(a["body"]), not a["internal"]) for a in rest]
        )

    async def answer(self, external_id: int, text: str, public: bool) -> None:
        article = {"ticket_id": external_id, "body": text, "type": "note", "internal": not public, "sender": "Agent"}
        await self._call("POST", "ticket_articles", article)

    async def finish(self, external_id: int) -> None:
        await self._call("PUT", f"tickets/{external_id}", {"state": "closed"})
