"""Rasa's socket.io channel over the real assistant process, with python-socketio's client as a widget would talk."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

import aiohttp
import pytest
import socketio

from bot.channels.web_socket import bot_uttered
from bot.messages import Button, OutboundMessage
from tests.channels.test_web_desk import desk

WAIT = 60.0


class Widget:
    """One socket.io connection speaking rasa-webchat's events; what the assistant says, in order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.said: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.client.on("bot_uttered", self.said.put)
        self.client.on("session_confirm", self.confirmed.put)

    async def open(self, url: str, session_id: str | None = None, headers: dict[str, str] | None = None) -> str:
        """Connect and ask for a session (`session_id`: the one of an earlier visit); the confirmed session id."""
        await self.client.connect(url, socketio_path="/socket.io/", transports=["websocket"], headers=headers or {})
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), WAIT)

    async def say(self, session_id: str, message: str) -> list[dict[str, Any]]:
        """Send a message; the assistant's answers (all emitted before the event's acknowledgement comes back)."""
        ack = await self.client.call("user_uttered", {"message": message, "session_id": session_id}, timeout=WAIT)
        assert ack is None, ack
        return self.drain()

    def drain(self) -> list[dict[str, Any]]:
        messages = []
        while not self.said.empty():
            messages.append(self.said.get_nowait())
        return messages

    async def close(self) -> None:
        await self.client.disconnect()


def texts(messages: list[dict[str, Any]]) -> str:
    return " ".join(m["text"] for m in messages)


def inbox(url: str, session_id: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/inbox?sender={session_id}", timeout=30) as response:
        return json.loads(response.read())


async def test_a_session_is_confirmed_and_a_turn_answers_with_quick_replies(running_assistant: str) -> None:
    widget = Widget()
    try:
        session = await widget.open(running_assistant)
        assert len(session) == 32
        greeting = (await widget.say(session, "bonjour"))[0]
        assert set(greeting) == {"text", "quick_replies"} and "Bonjour" in greeting["text"]
        assert {
            "content_type": "text",
            "title": "Je n'arrive pas à me connecter",
            "payload": "/cannot_login",
        } in greeting["quick_replies"]
        assert "identifiant ENT" in texts(await widget.say(session, "/cannot_login"))
    finally:
        await widget.close()


async def test_a_client_that_sends_back_its_session_id_continues_its_conversation(running_assistant: str) -> None:
    first = Widget()
    try:
        session = await first.open(running_assistant)
        await first.say(session, "bonjour")
        await first.say(session, "/cannot_login")
    finally:
        await first.close()
    again, stranger = Widget(), Widget()
    try:
        assert await again.open(running_assistant, session_id=session) == session
        replies = await again.say(session, "chloe.bernard")
        assert "expiré" in texts(replies)
        assert [r["title"] for r in replies[-1]["quick_replies"]] == ["Oui", "Non"]
        other = await stranger.open(running_assistant, session_id="pas un identifiant")
        assert other not in (session, "pas un identifiant")
    finally:
        await again.close()
        await stranger.close()


async def test_an_agents_answer_is_pushed_to_the_socket_not_left_in_the_inbox(running_assistant: str) -> None:
    widget = Widget()
    try:
        session = await widget.open(running_assistant)
        replies = await widget.say(session, "je voudrais parler a un conseiller, mon mail est jean@example.org")
        number = int(texts(replies).split("n°")[1].split()[0])
        status, _ = await asyncio.to_thread(desk, running_assistant, "POST", f"/api/desk/tickets/{number}/take")
        assert status == 200
        assert "pris en charge" in (await asyncio.wait_for(widget.said.get(), WAIT))["text"]
        status, _ = await asyncio.to_thread(
            desk, running_assistant, "POST", f"/api/desk/tickets/{number}/reply", {"text": "Essayez ceci."}
        )
        assert status == 200
        pushed = await asyncio.wait_for(widget.said.get(), WAIT)
        assert pushed == {"text": f"Conseiller (demande n°{number}) : Essayez ceci."}
        assert await asyncio.to_thread(inbox, running_assistant, session) == []
    finally:
        await widget.close()


async def test_what_arrived_while_disconnected_comes_at_the_next_session_request(running_assistant: str) -> None:
    widget = Widget()
    try:
        session = await widget.open(running_assistant)
        replies = await widget.say(session, "je voudrais parler a un conseiller, mon mail est lea@example.org")
        number = int(texts(replies).split("n°")[1].split()[0])
    finally:
        await widget.close()
    status, _ = await asyncio.to_thread(desk, running_assistant, "POST", f"/api/desk/tickets/{number}/take")
    assert status == 200
    back = Widget()
    try:
        assert await back.open(running_assistant, session_id=session) == session
        assert "pris en charge" in (await asyncio.wait_for(back.said.get(), WAIT))["text"]
    finally:
        await back.close()


async def test_a_typed_password_is_never_echoed(running_assistant: str) -> None:
    widget = Widget()
    try:
        session = await widget.open(running_assistant)
        said = await widget.say(session, "j'arrive pas a me connecter, chloe.bernard")
        said += await widget.say(session, "jsuis sur que c le bon mdp pourtant c Kh@2026lyc")
        assert said and all("Kh@2026" not in m["text"] and "kh@2026" not in m["text"].lower() for m in said)
    finally:
        await widget.close()


async def test_a_malformed_message_is_refused_in_the_acknowledgement(running_assistant: str) -> None:
    widget = Widget()
    try:
        session = await widget.open(running_assistant)
        ack = await widget.client.call("user_uttered", {"message": 42, "session_id": session}, timeout=WAIT)
        assert "`message` must be a string" in ack["error"]
        assert widget.drain() == []
    finally:
        await widget.close()


async def test_a_page_of_a_site_not_listed_cannot_connect(running_assistant: str, widget_page_port: int) -> None:
    async with aiohttp.ClientSession() as http:
        refused = socketio.AsyncClient(reconnection=False, http_session=http)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(
                running_assistant, transports=["websocket"], headers={"Origin": "http://autre-site.example"}
            )
        listed = socketio.AsyncClient(reconnection=False, http_session=http)
        await listed.connect(
            running_assistant, transports=["websocket"], headers={"Origin": f"http://127.0.0.1:{widget_page_port}"}
        )
        await listed.disconnect()


def test_a_link_button_keeps_the_rest_channels_web_url_shape() -> None:
    message = OutboundMessage(
        "Connectez-vous.", (Button("Se connecter avec l'ENT", url="https://cas.example/login"), Button("Non", "/deny"))
    )
    assert bot_uttered(message) == {
        "text": "Connectez-vous.",
        "quick_replies": [
            {"title": "Se connecter avec l'ENT", "type": "web_url", "url": "https://cas.example/login"},
            {"content_type": "text", "title": "Non", "payload": "/deny"},
        ],
    }
