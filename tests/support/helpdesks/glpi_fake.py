"""A fake GLPI that answers as GLPI's REST API documents it (`apirest.php`, GLPI 9.5 to 11; the API's own
reference: GLPI's apirest.md), for what the adapter and the agents' side of the tests use:

- `initSession`: the `App-Token` header of a known API client and `Authorization: user_token <token>` of a
  known user, else `ERROR_WRONG_APP_TOKEN_PARAMETER` / `ERROR_GLPI_LOGIN_USER_TOKEN`; answers `session_token`.
- every other call: the same `App-Token` and a live `Session-Token` (`ERROR_SESSION_TOKEN_MISSING` 400,
  `ERROR_SESSION_TOKEN_INVALID` 401); `killSession`, `getFullSession` (`session.glpiID`).
- `POST /:itemtype` (`Ticket`, `ITILFollowup`) with `input` an object (201 `{"id", "message"}`, `Location`) or a
  list of objects (201 `[{"id", "message"}, …]`), anything else `ERROR_BAD_ARRAY`; `PUT /:itemtype/:id`;
  `GET /:itemtype/:id` (`ERROR_ITEM_NOT_FOUND` 404); `GET /Ticket/:id/ITILFollowup` with `range` (`0-50` by
  default), `sort` and `order`, its `Content-Range` header, 206 when the range does not hold them all.
- tickets: `status` 1 (new) … 6 (closed); followups: `itemtype`, `items_id`, `content`, `is_private`, `users_id`
  (the session's user). Rich text comes back HTML-encoded, as GLPI stores it.

Errors are JSON arrays `["ERROR_…", "message"]`.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PREFIX = "/apirest.php"


@dataclass
class GlpiData:
    app_token: str
    users: dict[str, int]  # user_token → users_id
    sessions: dict[str, int] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    followups: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    calls: list[tuple[str, str]] = field(default_factory=list)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response([code, message], status=status)


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


class _GlpiApi:
    def __init__(self, data: GlpiData) -> None:
        self.data = data

    def app_token_ok(self, request: web.Request) -> None:
        if request.headers.get("App-Token") != self.data.app_token:
            raise _Refused(_error(400, "ERROR_WRONG_APP_TOKEN_PARAMETER", "parameter app_token seems wrong"))

    def user_of(self, request: web.Request) -> int:
        self.app_token_ok(request)
        token = request.headers.get("Session-Token")
        if not token:
            raise _Refused(_error(400, "ERROR_SESSION_TOKEN_MISSING", "parameter session_token is missing or empty"))
        if token not in self.data.sessions:
            raise _Refused(_error(401, "ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"))
        return self.data.sessions[token]

    async def inputs(self, request: web.Request) -> tuple[list[dict[str, Any]], bool]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        value = body.get("input") if isinstance(body, dict) else None
        if isinstance(value, dict):
            return [value], False
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value, True
        raise _Refused(_error(400, "ERROR_BAD_ARRAY", "input parameter must be an array of objects"))

    def guarded(self, handler: Any) -> Any:
        async def run(request: web.Request) -> web.StreamResponse:
            self.data.calls.append((request.method, request.path))
            try:
                response: web.StreamResponse = await handler(request)
                return response
            except _Refused as refused:
                return refused.response

        return run

    async def init_session(self, request: web.Request) -> web.Response:
        self.app_token_ok(request)
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        if kind != "user_token" or token not in self.data.users:
            return _error(401, "ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid")
        session_token = secrets.token_hex(13)
        self.data.sessions[session_token] = self.data.users[token]
        return web.json_response({"session_token": session_token})

    async def kill_session(self, request: web.Request) -> web.Response:
        self.user_of(request)
        self.data.sessions.pop(request.headers["Session-Token"], None)
        return web.json_response(True)

    async def full_session(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"session": {"glpiID": self.user_of(request), "glpiactiveprofile": {"name": "Technician"}}}
        )

    def store(self, itemtype: str) -> dict[int, dict[str, Any]]:
        if itemtype == "Ticket":
            return self.data.tickets
        if itemtype == "ITILFollowup":
            return self.data.followups
        raise _Refused(_error(400, "ERROR_ITEM_NOT_FOUND", f"itemtype {itemtype} not found"))

    def found(self, itemtype: str, item_id: str) -> dict[str, Any]:
        item = self.store(itemtype).get(int(item_id)) if item_id.isdigit() else None
        if item is None:
            raise _Refused(_error(404, "ERROR_ITEM_NOT_FOUND", "Item not found"))
        return item

    def encoded(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "content": html.escape(item["content"])} if "content" in item else dict(item)

    async def add(self, request: web.Request) -> web.Response:
        users_id = self.user_of(request)
        itemtype = request.match_info["itemtype"]
        items, as_list = await self.inputs(request)
        created = []
        for fields in items:
            item_id = self.data.new_id()
            if itemtype == "Ticket":
                self.store(itemtype)[item_id] = {"status": 1, "name": "", "content": "", **fields, "id": item_id}
                self.store(itemtype)[item_id]["users_id_recipient"] = users_id
            else:
                if fields.get("itemtype") != "Ticket" or int(fields.get("items_id", 0)) not in self.data.tickets:
                    raise _Refused(_error(400, "ERROR_GLPI_ADD", "Item not found"))
                self.store(itemtype)[item_id] = {
                    "is_private": 0,
                    **fields,
                    "items_id": int(fields["items_id"]),
                    "id": item_id,
                    "users_id": users_id,
                }
            created.append({"id": item_id, "message": ""})
        if as_list:
            return web.json_response(created, status=201)
        location = f"{request.url.origin()}{PREFIX}/{itemtype}/{created[0]['id']}"
        return web.json_response(created[0], status=201, headers={"Location": location})

    async def update(self, request: web.Request) -> web.Response:
        self.user_of(request)
        itemtype, item_id = request.match_info["itemtype"], request.match_info["id"]
        item = self.found(itemtype, item_id)
        (fields,), _ = await self.inputs(request)
        item.update({k: v for k, v in fields.items() if k != "id"})
        return web.json_response([{item_id: True, "message": ""}])

    async def get_item(self, request: web.Request) -> web.Response:
        self.user_of(request)
        return web.json_response(self.encoded(self.found(request.match_info["itemtype"], request.match_info["id"])))

    async def sub_items(self, request: web.Request) -> web.Response:
        self.user_of(request)
        ticket = self.found("Ticket", request.match_info["id"])
        if request.match_info["sub"] != "ITILFollowup":
            return _error(400, "ERROR_ITEM_NOT_FOUND", "sub itemtype not found")
        rows = [self.encoded(f) for f in self.data.followups.values() if f["items_id"] == ticket["id"]]
        key = request.query.get("sort", "id")
        rows.sort(key=lambda r: r.get(key) or 0, reverse=request.query.get("order", "ASC") == "DESC")
        first, _, last = request.query.get("range", "0-50").partition("-")
        start, end = int(first), int(last)
        page = rows[start : end + 1]
        status = 206 if len(page) < len(rows) else 200
        shown = f"{start}-{start + len(page) - 1}/{len(rows)}" if page else f"*/{len(rows)}"
        return web.json_response(page, status=status, headers={"Content-Range": shown})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(f"{PREFIX}/initSession", self.guarded(self.init_session))
        app.router.add_get(f"{PREFIX}/killSession", self.guarded(self.kill_session))
        app.router.add_get(f"{PREFIX}/getFullSession", self.guarded(self.full_session))
        app.router.add_get(f"{PREFIX}/Ticket/{{id}}/{{sub}}", self.guarded(self.sub_items))
        app.router.add_post(f"{PREFIX}/{{itemtype}}", self.guarded(self.add))
        app.router.add_put(f"{PREFIX}/{{itemtype}}/{{id}}", self.guarded(self.update))
        app.router.add_get(f"{PREFIX}/{{itemtype}}/{{id}}", self.guarded(self.get_item))
        return app


def glpi_app(data: GlpiData) -> web.Application:
    return _GlpiApi(data).app()
