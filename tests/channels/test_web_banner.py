"""The chat page's banner during an ENT's freeze window, in that ENT's words: on a real aiohttp server in the test
process, read over HTTP and seen in headless Chromium."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
from selenium.webdriver.common.by import By

from bot.channels.web import STATIC
from tests.conftest import SettableClock
from tests.support.browser import chromium

PARIS = dt.timezone(dt.timedelta(hours=2))


async def chat_page(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url + "/") as response:
        assert response.status == 200 and response.content_type == "text/html"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        return await response.text()


async def test_outside_any_freeze_the_page_is_served_as_it_is(web_url: str) -> None:
    assert await chat_page(web_url) == (STATIC / "chat.html").read_text(encoding="utf-8")


async def test_during_a_freeze_each_frozen_ent_has_its_banner_until_its_window_ends(
    web_url: str, clock: SettableClock
) -> None:
    clock.now = dt.datetime(2026, 7, 20, 10, tzinfo=PARIS)  # both ENTs' summer windows
    page = await chat_page(web_url)
    banner = page.split('<div class="banner" role="status">', 1)[1].split("</div>", 1)[0]
    assert "MonLycée.net : l'annuaire de l'ENT est en maintenance jusqu'au 21 août 2026 inclus" in banner
    assert "netocentre : l'annuaire de l'ENT est mis à jour jusqu'au 14 août 2026 inclus" in banner
    assert page.index("</header>") < page.index('class="banner"') < page.index('id="log"')

    clock.now = dt.datetime(2026, 8, 15, 10, tzinfo=PARIS)  # netocentre's window is over
    page = await chat_page(web_url)
    assert "jusqu'au 21 août 2026" in page and "netocentre : l'annuaire" not in page

    clock.now = dt.datetime(2026, 8, 22, 10, tzinfo=PARIS)
    assert 'class="banner"' not in await chat_page(web_url)


@pytest.mark.browser
async def test_the_banner_shows_above_the_conversation_in_chromium(web_url: str, clock: SettableClock) -> None:
    clock.now = dt.datetime(2026, 8, 18, 10, tzinfo=PARIS)

    def look() -> tuple[str, bool, int, int]:
        with chromium() as browser:
            browser.get(web_url + "/")
            banner = browser.find_element(By.CSS_SELECTOR, ".banner[role=status]")
            log = browser.find_element(By.ID, "log")
            return banner.text, banner.is_displayed(), banner.rect["y"], log.rect["y"]

    text, shown, banner_top, log_top = await asyncio.to_thread(look)
    assert shown and banner_top < log_top
    assert text.startswith("MonLycée.net : l'annuaire de l'ENT est en maintenance jusqu'au 21 août 2026 inclus.")


def test_a_banner_is_text_whatever_it_holds() -> None:
    from bot.channels.web_pages import with_banners

    page = with_banners('<body><header>h</header><main id="log"></main>', ["<script>x</script> & co"])
    assert '<div class="banner" role="status"><p>&lt;script&gt;x&lt;/script&gt; &amp; co</p></div>' in page
    assert with_banners("<body><header>h</header>", []) == "<body><header>h</header>"
