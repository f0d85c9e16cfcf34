"""Web routes on a real aiohttp server in the test process: the validation link, the per-address limit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.config import RateLimit, WebSettings
from bot.mail.capture import CaptureMailer
from bot.nlu.model import NluModel
from bot.services import Services
from tests.support.processes import free_port


@pytest.fixture
async def web_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    port = free_port()
    services.config = services.config.model_copy(
        update={
            "web": WebSettings(
                public_url=f"http://127.0.0.1:{port}", requests_per_ip=RateLimit(count=8, per_seconds=60)
            )
        }
    )
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def say(http: aiohttp.ClientSession, url: str, sender: str, message: str) -> list[dict[str, object]]:
    async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_the_mailed_validation_link_asks_and_the_click_validates_the_backup_address_once(
    web_url: str, services: Services, mailer: CaptureMailer
) -> None:
    async with aiohttp.ClientSession() as http:
        await say(http, web_url, "v1", "mon lien de validation a expiré")
        await say(http, web_url, "v1", "chloe.bernard")
        await say(http, web_url, "v1", "/affirm")
        (mail,) = mailer.sent
        link = re.search(r"http://\S+/adresse/valider\?jeton=(\S+)", mail.body)
        assert link and mail.recipient == "chloe.b@example.org"
        for _ in range(2):  # a mail scanner fetching the link first uses nothing
            async with http.get(link.group(0)) as page:
                text = await page.text()
                assert page.status == 200 and "Valider mon adresse" in text and 'method="post"' in text
        account = services.directory.find_account("chloe.bernard")
        assert account is not None and not account.backup_email_validated
        form = {"jeton": link.group(1)}
        async with http.post(f"{web_url}/adresse/valider", data=form) as page:
            assert page.status == 200 and "Adresse de secours validée" in await page.text()
        account = services.directory.find_account("chloe.bernard")
        assert account is not None and account.backup_email_validated
        async with http.get(link.group(0)) as spent:
            assert spent.status == 410 and "plus valable" in await spent.text()
        async with http.get(f"{web_url}/adresse/valider?jeton=forged") as forged:
            assert forged.status == 410


async def test_a_client_address_is_limited_whatever_sender_ids_it_invents(web_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for number in range(8):
            await say(http, web_url, f"scan{number}", "bonjour")
        async with http.post(
            f"{web_url}/webhooks/rest/webhook", json={"sender": "scan-new", "message": "x"}
        ) as response:
            assert response.status == 429
            assert "too many requests" in (await response.json())["error"]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    services: Services, nlu: NluModel
) -> None:
    port = free_port()
    services.config = services.config.model_copy(
        update={
            "web": WebSettings(
                requests_per_ip=RateLimit(count=2, per_seconds=60),
                trusted_proxies=["127.0.0.1"],
            )
        }
    )
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        async with aiohttp.ClientSession() as http:

            async def post(client: str) -> int:
                headers = {"X-Forwarded-For": f"{client}, 127.0.0.1"}
                async with http.post(url, json={"sender": "p", "message": "bonjour"}, headers=headers) as response:
                    return response.status

            assert [await post("10.0.0.1") for _ in range(3)] == [200, 200, 429]
            assert await post("10.0.0.2") == 200  # another pupil behind the same proxy
    finally:
        await runner.cleanup()
