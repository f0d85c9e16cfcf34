"""A locked or read-only database: the chat answers in French and /health says what is wrong."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import socketio
from sqlalchemy import event

from bot.bootstrap import build_assistant
from bot.nlu.model import NluModel
from bot.services import Services


def _on_every_connection(services: Services, *pragmas: str) -> None:
    """New connections run these pragmas (the pool is emptied so that no old connection escapes them)."""

    def run(connection: sqlite3.Connection, _record: object) -> None:
        for pragma in pragmas:
            connection.execute(pragma)

    event.listen(services.database, "connect", run)
    services.database.dispose()


@pytest.fixture
def read_only(services: Services) -> None:
    _on_every_connection(services, "PRAGMA query_only = ON")


@pytest.fixture
def locked(services: Services) -> Iterator[None]:
    """Another process holds the write lock; our writes give up after 0.1 s instead of 30."""
    _on_every_connection(services, "PRAGMA busy_timeout = 100")
    database = services.database.url.database
    assert database is not None, "a file database"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield
    holder.execute("ROLLBACK")
    holder.close()


async def _chat_and_health(url: str) -> tuple[int, list[dict[str, Any]], int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": "db", "message": "bonjour"}) as response:
            chat_status, replies = response.status, await response.json()
        async with http.get(f"{url}/health") as response:
            return chat_status, replies, response.status, await response.json()


async def test_health_says_ok_with_a_database_that_takes_writes(web_url: str) -> None:
    _, replies, status, health = await _chat_and_health(web_url)
    assert "Bonjour" in replies[0]["text"]
    assert (status, health) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.usefixtures("read_only")
async def test_a_read_only_database_answers_in_french_and_health_reports_it(web_url: str) -> None:
    chat_status, replies, status, health = await _chat_and_health(web_url)
    assert chat_status == 200 and "momentanément indisponible" in replies[0]["text"]
    assert (status, health) == (503, {"status": "degraded", "database": "read-only"})


@pytest.mark.usefixtures("locked")
async def test_a_locked_database_answers_in_french_and_health_reports_it(web_url: str) -> None:
    chat_status, replies, status, health = await _chat_and_health(web_url)
    assert chat_status == 200 and "momentanément indisponible" in replies[0]["text"]
    assert (status, health) == (503, {"status": "degraded", "database": "locked"})


@pytest.mark.usefixtures("locked")
async def test_a_socket_io_turn_on_a_locked_database_answers_in_french(web_url: str) -> None:
    said: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", said.put)
    await client.connect(web_url, transports=["websocket"])
    try:
        await client.call("session_request", {"session_id": "db-socket"}, timeout=30)
        await client.call("user_uttered", {"message": "bonjour", "session_id": "db-socket"}, timeout=30)
        assert "momentanément indisponible" in str((await asyncio.wait_for(said.get(), 30))["text"])
    finally:
        await client.disconnect()


@pytest.mark.usefixtures("read_only")
async def test_the_inbox_and_the_validation_page_say_so_instead_of_a_traceback(web_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{web_url}/api/inbox?sender=db") as response:
            assert response.status == 503 and "database is unavailable" in (await response.json())["error"]
        async with http.post(f"{web_url}/adresse/valider", data={"jeton": "x"}) as response:
            assert response.status == 503 and "indisponible" in await response.text()


@pytest.mark.usefixtures("read_only")
def test_a_turn_on_a_read_only_database_is_a_french_answer_not_an_exception(services: Services, nlu: NluModel) -> None:
    from bot.messages import InboundMessage

    result = build_assistant(services, nlu).handle(InboundMessage("web:db-direct", "je veux parler a un humain"))
    assert "momentanément indisponible" in result.messages[0].text
    assert result.ticket is None and result.operations == []


def test_health_calls_an_unreachable_server_unavailable() -> None:
    from bot.storage.db import database_problem, make_engine

    engine = make_engine("postgresql+psycopg://clef:pw@127.0.0.1:1/clef")
    try:
        assert database_problem(engine) == "unavailable"
    finally:
        engine.dispose()
