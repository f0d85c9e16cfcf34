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
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.desk_web import AGENT, API, DESK_LINKS
from bot.config import ConfigError
from bot.knowledge_files import KNOWLEDGE, Knowledge
from bot.services import Services
from bot.services.teaching import OUT_OF_SCOPE, Teaching, TeachingRefused
from bot.yaml_files import read_yaml

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

_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/desk.css">
</head>
<body>
<header><h1>{title}</h1></header>
<main class="teach">
  <form id="login" hidden>
    <label for="token">{token_label}</label>
    <input id="token" type="password" autocomplete="off">
    <div class="actions"><button type="submit">{login}</button></div>
  </form>
  <section id="misses" hidden>
    <h2>{heading}</h2>
    <p class="status">{intro}</p>
    <p id="summary" class="status"></p>
    <ul id="groups"></ul>
    <div class="actions">
      <button type="button" id="refresh" class="secondary">{refresh}</button>
      <a href="/desk">{back_link}</a>
    </div>
  </section>
  <p id="notice" role="status"></p>
</main>
<template id="group-row">
  <li class="group">
    <ul class="examples"></ul>
    <p class="status count"></p>
    <p class="status suggested"></p>
    <label>{intent_label} <select class="intent"><option value="">{choose}</option></select></label>
    <div class="actions">
      <button type="button" class="assign">{assign}</button>
      <button type="button" class="off-topic secondary">{off_topic}</button>
    </div>
  </li>
</template>
<script type="application/json" id="texts">{texts}</script>
<script src="/static/teach.js"></script>
</body>
</html>
"""


class TeachTexts:
    """knowledge/desk-teach.yml: the page's words, the script's, and a label for every intent that may be taught."""

    def __init__(self, path: Path) -> None:
        raw = read_yaml(path, ConfigError)
        sections = {"page": PAGE_KEYS, "script": SCRIPT_KEYS}
        for section, keys in sections.items():
            entry = raw.get(section) if isinstance(raw, dict) else None
            if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in keys):
                raise ConfigError(f"{path}: {section!r} needs {', '.join(keys)}")
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


def install_teaching(app: web.Application, services: Services) -> None:
    app[TEACHING] = Teaching(services, Knowledge(services.config.path(KNOWLEDGE)))
    app[TEXTS] = TeachTexts(services.config.path(TEXTS_FILE))
    app[DESK_LINKS].append(desk_link(app[TEXTS]))


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _json_for_html(value: Any) -> str:
    """JSON safe inside a `<script type="application/json">`: no `<`, `>` or `&` can end or open an element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def desk_link(texts: TeachTexts) -> str:
    return f'<p><a href="/desk/apprendre">{html.escape(texts.page["desk_link"])}</a></p>'


async def page(request: web.Request) -> web.Response:
    texts = request.app[TEXTS]
    values = {key: html.escape(value) for key, value in texts.page.items() if key in PAGE_KEYS}
    body = _PAGE.format(**values, texts=_json_for_html(texts.script))
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-cache"})


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
    if request.content_type != "application/json":
        return _error(415, "the body must be sent as application/json")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, 'the body must be JSON: {"keys": [...], "intent": "..."}')
    keys = body.get("keys") if isinstance(body, dict) else None
    intent = body.get("intent") if isinstance(body, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and len(k) <= 40 for k in keys):
        return _error(400, "`keys` must be a non-empty list of the group's message keys")
    if len(keys) > MAX_KEYS:
        return _error(400, f"`keys` is limited to {MAX_KEYS} messages")
    if not isinstance(intent, str) or not intent:
        return _error(400, "`intent` must be one of the intents listed")
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
        return _error(400, str(exc))
    return web.json_response({"labelled": done, "intent": intent, "label": request.app[TEXTS].label(intent)})


TEACH_ROUTES: list[web.AbstractRouteDef] = [
    web.get("/desk/apprendre", page),
    web.get(API + "misses", misses),
    web.post(API + "misses/label", label),
]
