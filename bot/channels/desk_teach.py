"""The desk page where agents teach the assistant from its misses (`/desk/apprendre`) and its JSON API.

`GET /api/desk/misses` lists the misunderstood and unsure messages in groups of similar ones
(`bot.services.teaching`); `POST /api/desk/misses/label` with `{"keys": [...], "intent": "..."}` gives the messages
of one group the intent the agent chose (`out_of_scope` for « Hors sujet »). Both are under `/api/desk/`, so the
desk's middleware authenticates them like the rest of the desk (an agent's bearer token, wrong tokens throttled
per address); a label is a POST whose body must be `application/json` and which bears the token in a header, so a
cross-site form or link cannot make one (no cookie authenticates anything). The page's French is
knowledge/desk-teach.yml, every value escaped.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from aiohttp import web

from bot.channels.desk_page import Layout, desk_page, json_for_html, page_texts
from bot.channels.desk_web import AGENT, API, DESK_LINKS, json_error, json_object
from bot.config import ConfigError
from bot.knowledge_files import KNOWLEDGE, Knowledge
from bot.services import Services
from bot.services.teaching import OUT_OF_SCOPE, Teaching, TeachingRefused

TEXTS_FILE = Path("knowledge") / "desk-teach.yml"
MAX_KEYS = 5000
PAGE_KEYS = (
    "title",
    "heading",
    "intro",
    "desk_link",
    "back_link",
    "token_label",
    "login",
    "refresh",
    "intent_label",
    "assign",
    "off_topic",
    "choose",
)
SCRIPT_KEYS = (
    "summary",
    "more_groups",
    "empty",
    "count",
    "suggested",
    "saved",
    "choose_first",
    "failed",
    "unknown_token",
    "too_many_tries",
)


class TeachTexts:
    """knowledge/desk-teach.yml: the page's words, the script's, and a label for every intent that may be taught."""

    def __init__(self, path: Path) -> None:
        raw = page_texts(path, {"page": PAGE_KEYS, "script": SCRIPT_KEYS})
        intents = raw.get("intents")
        if not isinstance(intents, dict) or not all(isinstance(v, str) for v in intents.values()):
            raise ConfigError(f"{path}: 'intents' must map each intent to its label")
        self.path = path
        self.page: dict[str, str] = raw["page"]
        self.script: dict[str, str] = raw["script"]
        self.intents: dict[str, str] = {str(k): v for k, v in intents.items()}

    def label(self, intent: str) -> str:
        try:
            return self.intents[intent]
        except KeyError:
            raise ConfigError(f"{self.path}: intent {intent!r} has no label") from None


TEACHING = web.AppKey("teaching", Teaching)
TEXTS = web.AppKey("teach_texts", TeachTexts)
PAGE = web.AppKey("teach_page", str)


def install_teaching(app: web.Application, services: Services) -> None:
    app[TEACHING] = Teaching(services, Knowledge(services.config.path(KNOWLEDGE)))
    app[TEXTS] = TeachTexts(services.config.path(TEXTS_FILE))
    app[PAGE] = teach_page(app[TEXTS])
    app[DESK_LINKS].append(desk_link(app[TEXTS]))


def desk_link(texts: TeachTexts) -> str:
    return f'<p><a href="/desk/apprendre">{html.escape(texts.page["desk_link"])}</a></p>'


def teach_page(texts: TeachTexts) -> str:
    """The page: static/teach.html in the desk's layout, the script's words in a JSON element of it."""
    words = {key: value for key, value in texts.page.items() if key in PAGE_KEYS}
    layout = Layout(
        title=words["title"], heading=words["title"], token_label=words["token_label"], login=words["login"]
    )
    return desk_page("teach", layout, words, {"texts": json_for_html(texts.script)})


async def page(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PAGE], content_type="text/html", headers={"Cache-Control": "no-cache"})


async def misses(request: web.Request) -> web.Response:
    teaching, texts = request.app[TEACHING], request.app[TEXTS]
    found = await asyncio.to_thread(teaching.page)
    intents = await asyncio.to_thread(lambda: teaching.intents)
    return web.json_response(
        {
            "groups": [
                {
                    "keys": list(group.keys),
                    "count": group.count,
                    "misunderstood": group.misunderstood,
                    "unsure": group.count - group.misunderstood,
                    "examples": list(group.examples),
                    "suggested": group.suggested,
                    "suggested_label": texts.label(group.suggested) if group.suggested in intents else None,
                }
                for group in found.groups
            ],
            "messages": found.messages,
            "groups_total": found.all_groups,
            "intents": [{"name": i, "label": texts.label(i)} for i in intents if i != OUT_OF_SCOPE],
            "off_topic": OUT_OF_SCOPE,
        }
    )


async def _label_request(request: web.Request) -> tuple[list[str], str] | web.Response:
    body = await json_object(request, '{"keys": [...], "intent": "..."}')
    if isinstance(body, web.Response):
        return body
    keys, intent = body.get("keys"), body.get("intent")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and len(k) <= 40 for k in keys):
        return json_error(400, "`keys` must be a non-empty list of the group's message keys")
    if len(keys) > MAX_KEYS:
        return json_error(400, f"`keys` is limited to {MAX_KEYS} messages")
    if not isinstance(intent, str) or not intent:
        return json_error(400, "`intent` must be one of the intents listed")
    return keys, intent


async def label(request: web.Request) -> web.Response:
    asked = await _label_request(request)
    if isinstance(asked, web.Response):
        return asked
    keys, intent = asked
    teaching, agent = request.app[TEACHING], request[AGENT]
    try:
        done = await asyncio.to_thread(teaching.label, agent, keys, intent)
    except TeachingRefused as exc:
        return json_error(400, str(exc))
    return web.json_response({"labelled": done, "intent": intent, "label": request.app[TEXTS].label(intent)})


TEACH_ROUTES: list[web.AbstractRouteDef] = [
    web.get("/desk/apprendre", page),
    web.get(API + "misses", misses),
    web.post(API + "misses/label", label),
]
