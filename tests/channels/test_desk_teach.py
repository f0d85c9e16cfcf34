"""The desk page that teaches the assistant from its misses, on a real aiohttp server in the test process: the
misunderstood and unsure messages listed in groups, a group labelled with one POST, the page in French."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.nlu.model import NluModel
from bot.services import Services
from bot.storage.models import AuditEvent, NluLabel
from tests.support.processes import free_port

TOKEN = "teach-desk-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# what users wrote that the assistant did not understand (a miss), or answered unsure (a line under 0.6)
MISSES = [
    "j'ai changé de lycée et plus rien ne marche",
    "depuis que j'ai changé de lycée plus rien ne marche",
    "changé de lycée et plus rien ne marche pour moi",
    "c'est quoi la météo demain",
    "mon mdp c'est Soleil2024! et ça marche pas",
    "le compte marie.dupont2 est bloqué depuis la rentrée",
]
UNSURE = [
    ("changé de lycée, plus rien ne marche", "link_expired", 0.41),
    ("je m'appelle Marie Dupont, rappelez moi au 06 12 34 56 78", "escalate_human", 0.52),
]
CONFIDENT = ("je n'arrive pas à me connecter", "cannot_login", 0.97)


def seed(services: Services, misses: list[str] = MISSES) -> None:
    """The misses as the clarify action records them, and the unsure and confident lines of a transcript."""
    now = services.now()
    for number, text in enumerate(misses):
        at = now - dt.timedelta(minutes=10 * (len(misses) - number))
        services.conversations.record_miss(text, [{"name": "link_expired", "confidence": 0.3}], at)
        services.conversations.save(f"web:miss{number}", "web", {}, [("in", text, "link_expired", 0.3)], at)
    lines: list[tuple[str, str, str | None, float | None]] = [
        ("in", text, intent, confidence) for text, intent, confidence in [*UNSURE, CONFIDENT]
    ]
    lines.append(("in", "/affirm", "affirm", 0.2))  # a button's payload: never listed
    services.conversations.save("web:unsure", "web", {}, lines, now)


@asynccontextmanager
async def running_desk(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    """The web server, desk included (an agent's token: `TOKEN`), on a free port of this process."""
    port = free_port()
    runner = await start_web(build_web_app(build_assistant(services, nlu), agent_token=TOKEN), "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def desk_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    async with running_desk(services, nlu) as url:
        yield url


async def misses(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(f"{url}/api/desk/misses", headers=AUTH) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def label(http: aiohttp.ClientSession, url: str, keys: list[str], intent: str) -> tuple[int, Any]:
    async with http.post(f"{url}/api/desk/misses/label", json={"keys": keys, "intent": intent}, headers=AUTH) as r:
        return r.status, await r.json()


def group_of(listing: dict[str, Any], words: str) -> dict[str, Any]:
    (found,) = [g for g in listing["groups"] if any(words in example for example in g["examples"])]
    return found


async def test_the_desk_lists_misses_and_unsure_lines_grouped_with_counts_and_examples(
    desk_url: str, services: Services
) -> None:
    seed(services)
    async with aiohttp.ClientSession() as http:
        listing = await misses(http, desk_url)
    assert listing["messages"] == 8  # 6 misses, 2 unsure lines; a miss's own transcript line is not a second one
    school = group_of(listing, "changé de lycée")
    assert school["count"] == 4 and school["misunderstood"] == 3 and school["unsure"] == 1
    assert school["examples"][0] == "changé de lycée, plus rien ne marche"  # the leader: the newest (none repeated)
    assert school["suggested"] == "link_expired" and school["suggested_label"] == "Mon lien de validation a expiré"
    shown = [example for group in listing["groups"] for example in group["examples"]]
    assert "Soleil2024!" not in " ".join(shown) and "mon mdp c'est [mot de passe masqué] et ça marche pas" in shown
    assert "je n'arrive pas à me connecter" not in shown and "/affirm" not in shown  # confident, a payload
    assert sum(group["count"] for group in listing["groups"]) == listing["messages"] == 8
    names = [intent["name"] for intent in listing["intents"]]
    assert "cannot_login" in names and "out_of_scope" not in names and listing["off_topic"] == "out_of_scope"
    assert "approve_reset" not in names  # payload-only intents are never typed, never taught
    assert next(i["label"] for i in listing["intents"] if i["name"] == "cannot_login") == (
        "Je n'arrive pas à me connecter"
    )


async def test_one_post_labels_a_group_which_leaves_the_list_anonymised_and_audited(
    desk_url: str, services: Services
) -> None:
    seed(services)
    async with aiohttp.ClientSession() as http:
        school = group_of(await misses(http, desk_url), "changé de lycée")
        status, done = await label(http, desk_url, school["keys"], "cannot_login")
        assert status == 200 and done == {
            "labelled": 4,
            "intent": "cannot_login",
            "label": "Je n'arrive pas à me connecter",
        }
        weather = group_of(await misses(http, desk_url), "météo")
        status, done = await label(http, desk_url, weather["keys"], "out_of_scope")  # « Hors sujet »
        assert status == 200 and done["labelled"] == 1
        locked = group_of(await misses(http, desk_url), "marie.dupont2")
        status, done = await label(http, desk_url, locked["keys"], "cannot_login")
        assert status == 200 and done["labelled"] == 1
        left = await misses(http, desk_url)
        assert left["messages"] == 2 and not any("lycée" in e for g in left["groups"] for e in g["examples"])
        status, again = await label(http, desk_url, school["keys"], "link_expired")  # the first label stands
        assert status == 200 and again["labelled"] == 0
    with services.sessions() as session:
        labels = session.execute(select(NluLabel.text, NluLabel.intent, NluLabel.agent)).all()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.operation == "label_misses")).all()
    assert {(text, intent) for text, intent, _ in labels} >= {
        ("le compte prenom.nom est bloqué depuis la rentrée", "cannot_login"),
        ("depuis que j'ai changé de lycée plus rien ne marche", "cannot_login"),
        ("c'est quoi la météo demain", "out_of_scope"),
    }
    assert all("marie" not in text for text, _, _ in labels) and {a for _, _, a in labels} == {"web-desk:agent"}
    assert [(a.actor, a.outcome, a.detail) for a in audit] == [
        ("web-desk:agent", "done", "cannot_login: 4"),
        ("web-desk:agent", "done", "out_of_scope: 1"),
        ("web-desk:agent", "done", "cannot_login: 1"),
        ("web-desk:agent", "done", "link_expired: 0"),
    ]


async def test_labelling_needs_the_desk_token_a_json_body_and_a_taught_intent(
    desk_url: str, services: Services
) -> None:
    seed(services)
    async with aiohttp.ClientSession() as http:
        keys = group_of(await misses(http, desk_url), "météo")["keys"]
        for headers in ({}, {"Authorization": "Bearer not-the-token-at-all"}):
            async with http.get(f"{desk_url}/api/desk/misses", headers=headers) as response:
                assert response.status == 401
            async with http.post(
                f"{desk_url}/api/desk/misses/label", json={"keys": keys, "intent": "out_of_scope"}, headers=headers
            ) as response:
                assert response.status == 401
        # a cross-site form can only send a "simple" body, never this: refused before anything is read
        form = {"keys": keys[0], "intent": "out_of_scope"}
        async with http.post(f"{desk_url}/api/desk/misses/label", data=form, headers=AUTH) as response:
            assert response.status == 415
        for body, error in (
            ({"keys": keys, "intent": "approve_reset"}, "unknown intent 'approve_reset'"),
            ({"keys": [], "intent": "out_of_scope"}, "`keys` must be a non-empty list of the group's message keys"),
            (
                {"keys": "miss:1", "intent": "out_of_scope"},
                "`keys` must be a non-empty list of the group's message keys",
            ),
            ({"keys": keys}, "`intent` must be one of the intents listed"),
        ):
            async with http.post(f"{desk_url}/api/desk/misses/label", json=body, headers=AUTH) as response:
                assert response.status == 400 and (await response.json()) == {"error": error}
        status, done = await label(http, desk_url, ["miss:999999", "ticket:1", "message:x"], "out_of_scope")
        assert status == 200 and done["labelled"] == 0  # keys of nothing label nothing
        assert group_of(await misses(http, desk_url), "météo")["count"] == 1


async def test_the_page_is_french_from_knowledge_and_the_tickets_page_links_to_it(desk_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk_url}/desk/apprendre") as response:
            page = await response.text()
            assert response.status == 200 and "script-src 'self'" in response.headers["Content-Security-Policy"]
        async with http.get(f"{desk_url}/desk") as response:
            tickets = await response.text()
    assert "<title>Support ENT — apprendre des messages incompris</title>" in page
    assert ">Hors sujet</button>" in page and '<script src="/static/teach.js"></script>' in page
    assert '<script type="application/json" id="texts">{"summary": "{messages} message(s) en attente' in page
    assert '<a href="/desk/apprendre">Apprendre des messages incompris</a>' in tickets
    assert "<!--desk-links-->" not in tickets
