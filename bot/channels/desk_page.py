"""The desk's pages made from one layout, static/desk-page.html: the head, the header, the links to the desk's other
pages, the agent's login form and the notice line, around a page's own part (static/<page>.html), with the page's
stylesheet and script (static/<page>.css, static/<page>.js, loaded after static/desk-common.js). Every word is the
page's, from its knowledge file (`page_texts`), escaped here; the script's words come as JSON in the page
(`json_for_html`). Scripts and styles stay in files, so that the Content-Security-Policy needs no inline code."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.config import ConfigError
from bot.placeholders import fill
from bot.yaml_files import read_yaml

STATIC = Path(__file__).resolve().parent / "static"
LAYOUT = STATIC / "desk-page.html"


@dataclass(frozen=True)
class Layout:
    """The layout's words: the window's title, the header's heading, the token field's label, the login button."""

    title: str
    heading: str
    token_label: str
    login: str


def page_texts(path: Path, sections: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """A desk page's knowledge file, each of `sections` checked to hold every one of its keys as a text."""
    raw = read_yaml(path, ConfigError)
    for section, keys in sections.items():
        entry = raw.get(section) if isinstance(raw, dict) else None
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in keys):
            raise ConfigError(f"{path}: {section!r} needs {', '.join(keys)}")
    return dict(raw)


def json_for_html(value: Any) -> str:
    """JSON safe inside a `<script type="application/json">`: no `<`, `>` or `&` can end or open an element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def desk_page(
    page: str, layout: Layout, texts: Mapping[str, str], made: Mapping[str, str] | None = None, nav: str = ""
) -> str:
    """static/`page`.html in the layout, its `{placeholders}` filled from `texts` (escaped here) and from `made`,
    values the caller made safe for where they go (a JSON script, an attribute); `nav`, the links to the other
    pages, is HTML their owners escaped."""
    values = {key: html.escape(value) for key, value in texts.items()} | dict(made or {})
    content = fill((STATIC / f"{page}.html").read_text(encoding="utf-8").rstrip("\n"), values)
    words = {key: html.escape(value) for key, value in asdict(layout).items()}
    return fill(LAYOUT.read_text(encoding="utf-8"), {**words, "page": page, "content": content, "nav": nav})
