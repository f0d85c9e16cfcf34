"""On Telegram: /lier gives a "Se connecter avec l'ENT" URL button, the user logs in on a real CAS server in a
browser, and the assistant tells them in Telegram that the chat is linked (the real bot against a local Bot API).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.bootstrap import build_assistant
from bot.channels.telegram import TelegramChannel
from bot.channels.web import build_web_app, start_web
from bot.config import TelegramSettings
from bot.mail.capture import CaptureMailer
from bot.nlu.model import NluModel
from bot.services import Services
from tests.cas.conftest import use_cas
from tests.channels.test_telegram import TOKEN, USER, Bot
from tests.support.cas_server import CasServer, log_in
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import free_port

pytestmark = pytest.mark.slow  # a CAS server process


@pytest.fixture
async def telegram(
    services: Services, nlu: NluModel, cas_server: CasServer, mailer: CaptureMailer
) -> AsyncIterator[Bot]:
    api = FakeBotApi()
    await api.start(free_port())
    port = free_port()
    use_cas(services, cas_server.url, f"http://127.0.0.1:{port}")
    settings = TelegramSettings(base_url=f"http://127.0.0.1:{api.port}/bot")
    assistant = build_assistant(services, nlu)
    channel = TelegramChannel(assistant, TOKEN, settings)
    runner = await start_web(build_web_app(assistant, channel.web_routes()), "127.0.0.1", port)
    await channel.start()
    yield Bot(api, services, channel, mailer)
    await channel.stop()
    await runner.cleanup()
    await api.stop()


def url_buttons(call_params: dict[str, object]) -> list[dict[str, str]]:
    markup = call_params.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [b for row in markup.get("inline_keyboard", []) for b in row if "url" in b]


async def test_a_telegram_user_logs_in_with_the_ent_and_is_told_in_telegram(
    telegram: Bot, cas_server: CasServer, services: Services
) -> None:
    offered = await telegram.say(USER, "/lier")
    (button,) = url_buttons(offered.params)
    assert button["text"] == "Se connecter avec l'ENT (Centre-Val de Loire)" and "callback_data" not in button
    back = await log_in(cas_server, button["url"])
    mark = len(telegram.api.calls)
    async with aiohttp.ClientSession() as http, http.get(back, allow_redirects=False) as page:
        assert page.status == 200 and "Compte vérifié" in await page.text()  # go back to Telegram
    told = await telegram.api.next_reply(USER, mark)
    assert "camille.rousseau" in told.params["text"] and "/delier" in told.params["text"]
    assert services.links.linked_login(f"telegram:{USER}") == "camille.rousseau"
    unlinked = await telegram.say(USER, "/delier")
    assert "supprimé" in unlinked.params["text"]
