"""A small Telegram Bot API server on 127.0.0.1 for offline tests.

It answers the methods the bot uses with well-formed Bot API objects, records every call, serves
updates that a test queues (as a user, an ADML or an agent would produce them) through long-polling
`getUpdates`, and can fail a method on purpose (429 Too Many Requests, a slow answer) to test retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "clef",
    "username": "clef_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": True,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None  # what the server answered (a sent message's `message_id`, …)


@dataclass
class FakeBotApi:
    forum_chats: set[int] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(100))
    _topic_ids: itertools.count = field(default_factory=lambda: itertools.count(500))
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    runner: web.AppRunner | None = None
    port: int = 0
    polls: int = 0  # getUpdates calls, not kept in `calls`

    # -- server ------------------------------------------------------------------------------------
    async def start(self, port: int) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.port = port
        return f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        failures = self._failures.get(method)
        if failures:
            kind = failures.pop(0)
            self.calls.append(Call(f"{method}!{kind}", params))
            if kind == "429":
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                    status=429,
                )
            if kind == "400":
                return web.json_response(
                    {"ok": False, "error_code": 400, "description": "Bad Request: can't parse"}, status=400
                )
            if kind == "500":
                return web.json_response(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500
                )
        call = Call(method, params)
        if method == "getUpdates":
            self.polls += 1
        else:
            self.calls.append(call)
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
            )
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        call.result = result
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):  # an uploaded file
                params[key] = {"filename": value.filename, "content": value.file.read().decode("utf-8")}
                continue
            text = value if isinstance(value, str) else bytes(value).decode("utf-8")
            try:
                params[key] = json.loads(text)
            except json.JSONDecodeError:
                params[key] = text
        return params

    # -- Bot API methods ---------------------------------------------------------------------------
    def _message(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        chat_type = "private" if chat_id > 0 else "supergroup"
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_id in self.forum_chats:
            chat["is_forum"] = True
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": BOT_USER}
        message.update({k: v for k, v in extra.items() if v is not None})
        return message

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):  # a long poll that ends with no update
                await asyncio.wait_for(
                    self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 1.0) or 0.05
                )
        return [u for u in self._updates if u["update_id"] >= offset]

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        thread = params.get("message_thread_id")
        return self._message(
            int(params["chat_id"]),
            text=params["text"],
            reply_markup=params.get("reply_markup"),
            message_thread_id=thread,
            is_topic_message=True if thread else None,
        )

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params.get("document") or {}
        return self._message(
            int(params["chat_id"]),
            document={"file_id": "doc1", "file_unique_id": "udoc1", "file_name": document.get("filename", "file")},
        )

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(int(params["chat_id"]), text="(edited)")

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_createForumTopic(self, params: dict[str, Any]) -> Any:
        if int(params["chat_id"]) not in self.forum_chats:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: the chat is not a forum"}, status=400
            )
        return {"message_thread_id": next(self._topic_ids), "name": params["name"], "icon_color": 7322096}

    # -- what a test does -------------------------------------------------------------------------
    def fail_next(self, method: str, kind: str = "429", times: int = 1) -> None:
        self._failures.setdefault(method, []).extend([kind] * times)

    def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def user_says(self, user_id: int, text: str, first_name: str = "Usager") -> int:
        """Queue a private message; returns its update id."""
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else None
        )
        message = self._message(user_id, text=text, entities=entities)
        message["from"] = {"id": user_id, "is_bot": False, "first_name": first_name}
        return self._push({"message": message})

    def group_says(
        self, chat_id: int, user_id: int, text: str, thread_id: int | None = None, reply_to: int | None = None
    ) -> int:
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else None
        )
        extra: dict[str, Any] = {"text": text, "entities": entities}
        if thread_id is not None:
            extra.update(message_thread_id=thread_id, is_topic_message=True)
        if reply_to is not None:
            extra["reply_to_message"] = self._message(chat_id, text="(ticket)", message_id=reply_to)
        message = self._message(chat_id, **extra)
        message["from"] = {"id": user_id, "is_bot": False, "first_name": "Agent"}
        return self._push({"message": message})

    def click(self, user_id: int, sent: Call, title: str) -> int:
        """Press the button `title` of the message the bot sent in call `sent`; returns the update id."""
        markup = sent.params.get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        chosen = [b for b in buttons if b["text"] == title]
        assert chosen, f"no button {title!r} in {[b['text'] for b in buttons]}"
        chat_id = int(sent.params["chat_id"])
        message = self._message(chat_id, text=sent.params.get("text"), reply_markup=markup)
        return self._push(
            {
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "chat_instance": "ci",
                    "from": {"id": user_id, "is_bot": False, "first_name": "Usager"},
                    "message": message,
                    "data": chosen[0]["callback_data"],
                }
            }
        )

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"timed out; calls so far: {[(c.method, c.params.get('text', '')[:60]) for c in self.calls]}"
        )

    async def next_reply(self, chat_id: int, after: int, method: str = "sendMessage") -> Call:
        """The first message sent to `chat_id` after the first `after` calls."""
        return await self.wait_for(
            lambda: next(
                (c for c in self.calls[after:] if c.method == method and int(c.params.get("chat_id", 0)) == chat_id),
                None,
            )
        )
