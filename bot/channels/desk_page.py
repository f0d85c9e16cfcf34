"""The desk's pages made from one layout, static/desk-page.html: the head, the header, the agent's login form and the
notice line, around a page's own part (static/<page>.html), with the page's stylesheet and script
(static/<page>.css, static/<page>.js, loaded after static/desk-common.js). Every word is the page's, from its
knowledge file, escaped here; scripts and styles stay in files, so that the Content-Security-Policy needs no inline
code. The tickets' page, static/desk.html, is a whole page of its own, its French written in it and in desk.js; it
loads static/desk-common.js too."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.placeholders import fill

STATIC = Path(__file__).resolve().parent / "static"
LAYOUT = STATIC / "desk-page.html"


@dataclass(frozen=True)
class Layout:
    """The layout's words: the window's title, the header's heading, the token field's label, the login button."""

    title: str
    heading: str
    token_label: str
    login: str


def desk_page(page: str, layout: Layout, texts: Mapping[str, str], made: Mapping[str, str] | None = None) -> str:
    """static/`page`.html in the layout, its `{placeholders}` filled from `texts` (escaped here) and from `made`,
    values the caller made safe for where they go (a JSON script, an attribute)."""
    values = {key: html.escape(value) for key, value in texts.items()} | dict(made or {})
    content = fill((STATIC / f"{page}.html").read_text(encoding="utf-8").rstrip("\n"), values)
    words = {key: html.escape(value) for key, value in asdict(layout).items()}
    return fill(LAYOUT.read_text(encoding="utf-8"), {**words, "page": page, "content": content})
