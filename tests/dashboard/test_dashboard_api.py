"""The dashboard's page and figures on a real aiohttp server in the test process: only the desk's agents get the
figures, wrong filters get a clear error, and the charts come as SVG the page's policy lets in."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import insert

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.dashboard.charts import CHARTS
from bot.nlu.model import NluModel
from bot.services import Services
from bot.storage.models import ChatDay
from tests.conftest import SettableClock
from tests.support.processes import ROOT, free_port

TOKEN = "dashboard-api-token-0123"


@pytest.fixture
async def url(seeded: Services, nlu: NluModel) -> AsyncIterator[str]:
    port = free_port()
    runner = await start_web(build_web_app(build_assistant(seeded, nlu), agent_token=TOKEN), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_only_an_agent_gets_the_figures(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/desk/dashboard") as refused:
            assert refused.status == 401
        async with http.get(f"{url}/api/desk/dashboard", headers={"Authorization": "Bearer not-the-token-at-all"}) as r:
            assert r.status == 401 and (await r.json()) == {"error": "unknown agent token"}


async def test_the_figures_come_with_their_charts_as_svg_without_inline_style(url: str) -> None:
    query = "?from=2026-11-01&to=2026-11-25&tenant=monlycee"
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
        http.get(f"{url}/api/desk/dashboard{query}") as response,
    ):
        assert response.status == 200
        body = await response.json()
    assert body["filters"] == {
        "from": "2026-11-01",
        "to": "2026-11-25",
        "tenant": "monlycee",
        "uai": None,
        "top_by": "unactivated",
    }
    assert body["totals"]["conversations"] == 8 and body["totals"]["tickets_opened"] == 3
    assert body["summary"].startswith("8 conversations, dont 50 % terminées sans conseiller")
    assert [chart["id"] for chart in body["charts"]] == list(CHARTS)
    for chart in body["charts"]:
        assert chart["svg"].startswith("<svg") and "style=" not in chart["svg"] and "<style" not in chart["svg"]
        assert f"<title>{chart['title']}</title>" in chart["svg"]


async def test_wrong_filters_are_refused_with_what_is_wrong(url: str) -> None:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        async with http.get(f"{url}/api/desk/dashboard?from=2026-11-30&to=2026-11-01") as response:
            assert response.status == 400 and (await response.json()) == {"error": "the last day is before the first"}
        async with http.get(f"{url}/api/desk/dashboard?tenant=atlantis") as response:
            assert response.status == 400


async def test_the_page_is_french_escaped_and_under_the_content_security_policy(url: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/desk/tableau") as response:
        assert response.status == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert '<html lang="fr">' in page and "<title>Support ENT — tableau de bord</title>" in page
    assert "{" not in page.split("data-messages=")[0]  # every placeholder filled
    assert 'data-messages="{&quot;title&quot;' in page  # the script's labels, escaped into an attribute


async def test_the_same_figures_asked_within_a_minute_are_not_made_again(
    url: str, seeded: Services, clock: SettableClock
) -> None:
    async def conversations() -> int:
        async with (
            aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
            http.get(f"{url}/api/desk/dashboard?from=2026-11-01&to=2026-11-25") as response,
        ):
            return int((await response.json())["totals"]["conversations"])

    assert await conversations() == 16
    with seeded.database.begin() as connection:  # one more chat that day
        values = {"conversation_id": 999, "day": dt.date(2026, 11, 20), "channel": "web", "handed_over": False}
        connection.execute(insert(ChatDay).values(**values, turns=1, misses=0))
    assert await conversations() == 16
    clock.advance(seconds=61)
    assert await conversations() == 17


@pytest.mark.slow  # starts a Python process
def test_the_assistant_starts_without_loading_the_charting_library() -> None:
    probe = "import sys, bot.runtime, bot.channels.web; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
