"""A fake Zammad that answers as Zammad's REST API documents it (`/api/v1`; docs.zammad.org, "API"), for what
the adapter and the agents' side of the tests use:

- token access: `Authorization: Token token=<token>` of a known user, else 401 `{"error": …}`;
- `POST /tickets` with `title`, `group`, the customer (`customer_id: "guess:<address>"`, which finds or creates
  the customer, or a user id) and its first `article`, 201 with the ticket (`id`, `number`, `state_id`, …);
  `GET` and `PUT /tickets/:id` (`state` by name or `state_id`); 404 `{"error": "Couldn't find Ticket …"}`;
- `GET /ticket_states`: Zammad's default states (1 new, 2 open, 3 pending reminder, 4 closed, 5 merged,
  7 pending close);
- `POST /ticket_articles` (`ticket_id`, `body`, `content_type`, `type`, `internal`, `sender` — an agent's by
  default), 201 with the article; `GET /ticket_articles/by_ticket/:id`, each article with its `sender` and
  `type` by name and `internal`.

A missing required attribute is a 422 `{"error": …}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

STATES = {1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged", 7: "pending close"}
SENDERS = ("Agent", "Customer", "System")


@dataclass
class ZammadData:
    users: dict[str, int]  # token → user id (agents)
    groups: tuple[str, ...] = ("Users",)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    next_id: int = 100
    calls: list[tuple[str, str]] = field(default_factory=list)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


class _Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        self.response = web.json_response({"error": error, "error_human": error}, status=status)


class _ZammadApi:
    def __init__(self, data: ZammadData) -> None:
        self.data = data

    def user_of(self, request: web.Request) -> int:
        kind, _, token = request.headers.get("Authorization", "").partition(" token=")
        if kind != "Token" or token not in self.data.users:
            raise _Refused(401, "Authentication required")
        return self.data.users[token]

    async def body_of(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _Refused(422, "Need at least an object")
        return body

    def guarded(self, handler: Any) -> Any:
        async def run(request: web.Request) -> web.StreamResponse:
            self.data.calls.append((request.method, request.path))
            try:
                self.user_of(request)
                response: web.StreamResponse = await handler(request)
                return response
            except _Refused as refused:
                return refused.response

        return run

    def ticket_of(self, value: str | int) -> dict[str, Any]:
        ticket = self.data.tickets.get(int(value)) if str(value).isdigit() else None
        if ticket is None:
            raise _Refused(404, f"Couldn't find Ticket with 'id'={value}")
        return ticket

    def article(self, ticket_id: int, fields: dict[str, Any], by: int) -> dict[str, Any]:
        sender = fields.get("sender", "Agent")
        if sender not in SENDERS:
            raise _Refused(422, f"No lookup value found for 'sender': {sender!r}")
        article_id = self.data.new_id()
        self.data.articles[article_id] = {
            "id": article_id,
            "ticket_id": ticket_id,
            "body": str(fields.get("body", "")),
            "subject": fields.get("subject"),
            "content_type": fields.get("content_type", "text/plain"),
            "type": fields.get("type", "note"),
            "internal": bool(fields.get("internal", False)),
            "sender": sender,
            "created_by_id": by,
        }
        return self.data.articles[article_id]

    async def create_ticket(self, request: web.Request) -> web.Response:
        by = self.user_of(request)
        body = await self.body_of(request)
        for required in ("title", "group"):
            if not body.get(required):
                raise _Refused(422, f"Missing required attribute {required}")
        if body["group"] not in self.data.groups:
            raise _Refused(422, f"No lookup value found for 'group': {body['group']!r}")
        customer = body.get("customer_id")
        if isinstance(customer, str) and customer.startswith("guess:") and "@" in customer:
            customer = self.data.customers.setdefault(customer.removeprefix("guess:"), self.data.new_id())
        if not isinstance(customer, int):
            raise _Refused(422, "Missing required attribute customer_id")
        ticket_id = self.data.new_id()
        self.data.tickets[ticket_id] = {
            "id": ticket_id,
            "number": str(31000 + ticket_id),
            "title": body["title"],
            "group": body["group"],
            "customer_id": customer,
            "state_id": 1,
            "created_by_id": by,
        }
        if isinstance(body.get("article"), dict):
            self.article(ticket_id, body["article"], by)
        return web.json_response(self.data.tickets[ticket_id], status=201)

    async def get_ticket(self, request: web.Request) -> web.Response:
        return web.json_response(self.ticket_of(request.match_info["id"]))

    async def update_ticket(self, request: web.Request) -> web.Response:
        ticket = self.ticket_of(request.match_info["id"])
        body = await self.body_of(request)
        if "state" in body:
            ids = [i for i, name in STATES.items() if name == body["state"]]
            if not ids:
                raise _Refused(422, f"No lookup value found for 'state': {body['state']!r}")
            ticket["state_id"] = ids[0]
        if "state_id" in body:
            if body["state_id"] not in STATES:
                raise _Refused(422, "No lookup value found for 'state_id'")
            ticket["state_id"] = body["state_id"]
        return web.json_response(ticket)

    async def states(self, request: web.Request) -> web.Response:
        return web.json_response([{"id": i, "name": name, "active": True} for i, name in STATES.items()])

    async def create_article(self, request: web.Request) -> web.Response:
        by = self.user_of(request)
        body = await self.body_of(request)
        ticket = self.ticket_of(body.get("ticket_id", ""))
        return web.json_response(self.article(ticket["id"], body, by), status=201)

    async def articles(self, request: web.Request) -> web.Response:
        ticket = self.ticket_of(request.match_info["id"])
        rows = sorted((a for a in self.data.articles.values() if a["ticket_id"] == ticket["id"]), key=lambda a: a["id"])
        return web.json_response(rows)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/tickets", self.guarded(self.create_ticket))
        app.router.add_get("/api/v1/tickets/{id}", self.guarded(self.get_ticket))
        app.router.add_put("/api/v1/tickets/{id}", self.guarded(self.update_ticket))
        app.router.add_get("/api/v1/ticket_states", self.guarded(self.states))
        app.router.add_post("/api/v1/ticket_articles", self.guarded(self.create_article))
        app.router.add_get("/api/v1/ticket_articles/by_ticket/{id}", self.guarded(self.articles))
        return app


def zammad_app(data: ZammadData) -> web.Application:
    return _ZammadApi(data).app()
