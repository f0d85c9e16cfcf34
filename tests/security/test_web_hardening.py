"""The web server against hostile or odd clients: headers, content types, odd text, limits, the desk's tokens."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.bootstrap import build_assistant
from bot.channels.web import STATIC, build_web_app, start_web
from bot.config import ConfigError, RateLimit, WebSettings
from bot.nlu.model import NluModel
from bot.services import Services
from tests.support.processes import free_port

TOKEN = "a-desk-token-long-enough"
GENEROUS = RateLimit(count=1000, per_seconds=60)


@asynccontextmanager
async def server(services: Services, nlu: NluModel, agent_token: str | None = TOKEN, **web: Any) -> AsyncIterator[str]:
    port = free_port()
    settings = {"public_url": f"http://127.0.0.1:{port}", "requests_per_ip": GENEROUS, **web}
    services.config = services.config.model_copy(update={"web": WebSettings(**settings)})
    runner = await start_web(build_web_app(build_assistant(services, nlu), agent_token=agent_token), "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def post_json(http: aiohttp.ClientSession, url: str, body: dict[str, Any], **headers: str) -> tuple[int, Any]:
    async with http.post(f"{url}/webhooks/rest/webhook", json=body, headers=headers) as response:
        return response.status, await response.json()


# headers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/desk", "/static/chat.js", "/health", "/adresse/valider?jeton=x", "/api/inbox?sender=h", "/nowhere"]
)
async def test_every_response_carries_the_security_headers(services: Services, nlu: NluModel, path: str) -> None:
    async with server(services, nlu) as url, aiohttp.ClientSession() as http, http.get(url + path) as response:
        headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"


@pytest.mark.parametrize("page", ["chat.html", "desk-page.html", "tickets.html", "teach.html", "dashboard.html"])
def test_the_pages_hold_no_inline_script_or_style_the_policy_would_block(page: str) -> None:
    html = (STATIC / page).read_text(encoding="utf-8")
    # a script runs only from a file; a JSON data block (the page's words) is not run
    assert re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html) is None
    assert "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


def test_the_chat_page_draws_its_sender_id_from_the_crypto_generator() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert "crypto.getRandomValues" in script and "Math.random" not in script


# the webhook -------------------------------------------------------------------------------------


async def test_the_webhook_refuses_a_text_plain_body_before_any_turn(services: Services, nlu: NluModel) -> None:
    async with server(services, nlu) as url, aiohttp.ClientSession() as http:
        body = '{"sender": "csrf", "message": "je veux parler a un humain"}'
        async with http.post(
            f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "text/plain"}
        ) as response:
            assert response.status == 415
            assert "application/json" in (await response.json())["error"]
    assert services.conversations.load("web:csrf") is None
    assert services.tickets.open_for("web:csrf") is None


async def test_a_lone_surrogate_is_a_clear_400_and_nothing_happens(services: Services, nlu: NluModel) -> None:
    async with server(services, nlu) as url, aiohttp.ClientSession() as http:
        raw = b'{"sender": "odd", "message": "je veux parler a un humain \\ud800"}'
        async with http.post(
            f"{url}/webhooks/rest/webhook", data=raw, headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
            assert "`message` must be valid Unicode text" in (await response.json())["error"]
    assert services.conversations.load("web:odd") is None
    assert services.tickets.open_for("web:odd") is None


# limits per client address -----------------------------------------------------------------------


async def test_the_inbox_is_limited_per_client_address(services: Services, nlu: NluModel) -> None:
    async with (
        server(services, nlu, inbox_requests_per_ip=RateLimit(count=3, per_seconds=60)) as url,
        aiohttp.ClientSession() as http,
    ):
        statuses = []
        for number in range(4):
            async with http.get(f"{url}/api/inbox?sender=poll{number}") as response:
                statuses.append(response.status)
    assert statuses == [200, 200, 200, 429]


async def test_tickets_are_limited_per_client_address_whatever_sender_ids_it_invents(
    services: Services, nlu: NluModel
) -> None:
    async with (
        server(services, nlu, tickets_per_ip=RateLimit(count=2, per_seconds=3600)) as url,
        aiohttp.ClientSession() as http,
    ):
        for number in range(3):
            status, _ = await post_json(
                http, url, {"sender": f"flood{number}", "message": "je veux parler a un humain"}
            )
            assert status == 200
    opened = [services.tickets.open_for(f"web:flood{n}") for n in range(3)]
    assert [ticket is not None for ticket in opened] == [True, True, False]


# the agents' desk --------------------------------------------------------------------------------


async def desk_get(http: aiohttp.ClientSession, url: str, path: str, token: str) -> tuple[int, Any]:
    async with http.get(url + path, headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json()


async def test_a_short_desk_token_is_refused_at_start(services: Services, nlu: NluModel) -> None:
    with pytest.raises(ConfigError, match="CLEF_AGENT_TOKEN is 8 characters: the agents' desk needs at least 16"):
        build_web_app(build_assistant(services, nlu), agent_token="12345678")


async def test_desk_token_guesses_are_throttled_per_address(services: Services, nlu: NluModel) -> None:
    async with (
        server(services, nlu, desk_failures_per_ip=RateLimit(count=3, per_seconds=600)) as url,
        aiohttp.ClientSession() as http,
    ):
        statuses = [(await desk_get(http, url, "/api/desk/tickets", f"guess-number-{n:08d}"))[0] for n in range(3)]
        assert statuses == [401, 401, 401]
        status, body = await desk_get(http, url, "/api/desk/tickets", TOKEN)  # even the right token now waits
        assert status == 429 and "too many" in body["error"]


async def test_each_agent_has_their_own_identity_in_the_audit(
    services: Services, nlu: NluModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEF_AGENT_TOKENS", "alice:alice-token-0123456789, bob:bob-token-0123456789xx")
    ticket = services.tickets.open("web:u1", "web", None, None, None, "aide", "", services.now())
    async with server(services, nlu) as url, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bearer alice-token-0123456789", "Content-Type": "application/json"}
        async with http.post(f"{url}/api/desk/tickets/{ticket.id}/take", headers=headers) as response:
            assert response.status == 200 and (await response.json())["agent"] == "web-desk:alice"
        status, _ = await desk_get(http, url, "/api/desk/tickets", "bob-token-0123456789xx")
        assert status == 200
        status, _ = await desk_get(http, url, "/api/desk/tickets", TOKEN)  # the single token still works
        assert status == 200
    (entry,) = [e for e in services.audit.since(0) if e.operation == "take_ticket"]
    assert entry.actor == "web-desk:alice"


async def test_a_malformed_agent_tokens_variable_is_refused_at_start(
    services: Services, nlu: NluModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEF_AGENT_TOKENS", "alice-without-a-token")
    with pytest.raises(ConfigError, match="CLEF_AGENT_TOKENS: expected name:token pairs"):
        build_web_app(build_assistant(services, nlu), agent_token=None)


async def test_the_desk_pages_and_filters_tickets(services: Services, nlu: NluModel) -> None:
    now = services.now()
    ids = [
        services.tickets.open(f"web:p{n}", "web", "monlycee" if n % 2 else "netocentre", None, None, "aide", "", now).id
        for n in range(7)
    ]
    services.tickets.close(ids[0], now)
    async with server(services, nlu) as url, aiohttp.ClientSession() as http:
        status, first = await desk_get(http, url, "/api/desk/tickets?per_page=2", TOKEN)
        assert status == 200
        assert [t["id"] for t in first["tickets"]] == ids[6:4:-1]
        assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 6, 3)
        _, last = await desk_get(http, url, "/api/desk/tickets?per_page=2&page=3", TOKEN)
        assert [t["id"] for t in last["tickets"]] == ids[2:0:-1]
        _, closed = await desk_get(http, url, "/api/desk/tickets?status=closed", TOKEN)
        assert [t["id"] for t in closed["tickets"]] == [ids[0]]
        _, neto = await desk_get(http, url, "/api/desk/tickets?status=all&tenant=netocentre", TOKEN)
        assert sorted(t["id"] for t in neto["tickets"]) == [ids[0], ids[2], ids[4], ids[6]]
        status, body = await desk_get(http, url, "/api/desk/tickets?status=lost", TOKEN)
        assert status == 400 and "`status`" in body["error"]
        status, body = await desk_get(http, url, "/api/desk/tickets?per_page=5000", TOKEN)
        assert status == 400 and "`per_page`" in body["error"]
        status, body = await desk_get(http, url, "/api/desk/tickets?tenant=%ED%A0%80", TOKEN)
        assert status == 400 and "`tenant`" in body["error"]
