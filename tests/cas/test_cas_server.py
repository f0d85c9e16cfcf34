"""The ENT's login against a real CAS server (django-cas-server on 127.0.0.1): a web chat logs in and is linked;
replayed tickets, tickets for another service, expired and reused login links are refused and link nothing.

The assistant's web server runs in the test process; the CAS validates each ticket as a production CAS does
(once, for the service it was issued for).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.nlu.model import NluModel
from bot.services import Services
from bot.storage.links import LinkMethod
from tests.cas.conftest import use_cas
from tests.conftest import SettableClock
from tests.support.cas_server import CasServer, log_in, ticket_for
from tests.support.processes import free_port

pytestmark = pytest.mark.slow  # a CAS server process


@dataclass
class Site:
    url: str
    http: aiohttp.ClientSession

    async def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        async with self.http.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
        ) as response:
            assert response.status == 200, await response.text()
            return list(await response.json())

    async def login_link(self, sender: str) -> str:
        """What the chat's "Se connecter avec l'ENT" button opens (the ENT known: netocentre)."""
        await self.say(sender, '/inform{"tenant": "netocentre"}')
        replies = await self.say(sender, "lier mon compte")
        links = [b for r in replies for b in r.get("buttons", []) if isinstance(b, dict) and b.get("type") == "web_url"]
        assert [b["title"] for b in links] == ["Se connecter avec l'ENT"], replies
        return str(links[0]["url"])

    async def open(self, address: str) -> tuple[int, str, str | None]:
        """Status, text and redirection of the page the browser is sent back to."""
        async with self.http.get(address, allow_redirects=False) as page:
            return page.status, await page.text(), page.headers.get("Location")

    async def inbox(self, sender: str) -> list[str]:
        async with self.http.get(f"{self.url}/api/inbox", params={"sender": sender}) as response:
            return [str(m["text"]) for m in await response.json()]


@pytest.fixture
async def site(services: Services, nlu: NluModel, cas_server: CasServer) -> AsyncIterator[Site]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    use_cas(services, cas_server.url, url)
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    async with aiohttp.ClientSession() as http:
        yield Site(url, http)
    await runner.cleanup()


def ticket_in(address: str) -> str:
    return parse_qs(urlsplit(address).query)["ticket"][0]


def with_ticket(login_link: str, ticket: str) -> str:
    """The return address of a login link, carrying `ticket`."""
    service = parse_qs(urlsplit(login_link).query)["service"][0]
    return f"{service}&ticket={ticket}"


async def test_a_web_chat_logs_in_with_the_ent_and_is_linked(
    site: Site, cas_server: CasServer, services: Services
) -> None:
    link = await site.login_link("cas-user")
    assert link.startswith(f"{cas_server.url}/login?service=")
    back = await log_in(cas_server, link)
    assert back.startswith(f"{site.url}/cas/callback?state=") and ticket_in(back).startswith("ST-")
    status, _, location = await site.open(back)
    assert (status, location) == (303, "/")  # back to the chat page
    (told,) = await site.inbox("cas-user")
    assert "camille.rousseau" in told
    link_made = services.links.link_of("web:cas-user")
    assert link_made is not None and link_made.method is LinkMethod.CAS
    replies = await site.say("cas-user", "je n'arrive pas à me connecter")
    assert any("bloqué jusqu'au 31/12/2026" in str(r["text"]) for r in replies)  # its own account's state


async def test_a_ticket_replayed_into_another_chat_is_refused(
    site: Site, cas_server: CasServer, services: Services
) -> None:
    back = await log_in(cas_server, await site.login_link("first"))
    assert (await site.open(back))[0] == 303
    replay = with_ticket(await site.login_link("second"), ticket_in(back))
    status, page, _ = await site.open(replay)
    assert status == 403 and "déjà servi ou a expiré" in page
    assert services.links.link_of("web:second") is None
    assert any("déjà servi ou a expiré" in text for text in await site.inbox("second"))


async def test_a_ticket_issued_for_another_service_is_refused(
    site: Site, cas_server: CasServer, services: Services
) -> None:
    foreign = await ticket_for(cas_server, f"{site.url}/autre-application/accueil")
    status, page, _ = await site.open(with_ticket(await site.login_link("victim"), foreign))
    assert status == 403 and "un autre service que cet assistant" in page
    assert services.links.link_of("web:victim") is None


async def test_an_expired_login_link_is_refused(
    site: Site, cas_server: CasServer, services: Services, clock: SettableClock
) -> None:
    link = await site.login_link("slow")
    clock.advance(minutes=services.config.linking.cas_login_minutes, seconds=1)
    status, page, _ = await site.open(await log_in(cas_server, link))
    assert status == 410 and "a expiré" in page
    assert services.links.link_of("web:slow") is None


async def test_a_login_link_works_once(site: Site, cas_server: CasServer, services: Services) -> None:
    back = await log_in(cas_server, await site.login_link("twice"))
    assert (await site.open(back))[0] == 303
    await site.inbox("twice")
    services.links.unlink("web:twice", services.now())
    status, page, _ = await site.open(back)  # the same return again: a reload, or a copy of the address
    assert status == 410 and "déjà servi" in page
    assert services.links.link_of("web:twice") is None and await site.inbox("twice") == []


async def test_a_return_with_a_state_never_issued_shows_a_page_and_links_nothing(site: Site) -> None:
    status, page, _ = await site.open(f"{site.url}/cas/callback?state={'x' * 43}&ticket=ST-1-forged")
    assert status == 403 and "pas valable" in page and 'href="/"' in page
