"""The French pages the web server shows outside the chat (knowledge/web-pages.yml), every value escaped: the
backup-address validation link's, and the return from the ENT's login (CAS); and the chat page's banners (a freeze
window in progress)."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from bot.config import ConfigError
from bot.placeholders import fill
from bot.yaml_files import read_yaml

PAGES_FILE = Path("knowledge") / "web-pages.yml"

_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/static/page.css"></head>
<body><main><h1>{title}</h1><p>{text}</p>{form}</main></body></html>"""
_CONFIRM_FORM = """<form method="post" action="/adresse/valider"><input type="hidden" name="jeton" value="{token}">
<button type="submit">{button}</button></form>"""
_LINK = """<p><a href="{href}">{label}</a></p>"""
PAGE_KEYS = {
    "confirm_address": ("title", "text", "button"),
    "validated": ("title", "text"),
    "dead_link": ("title", "text"),
    "busy": ("title", "text"),
    "unavailable": ("title", "text"),
    "cas_linked": ("title", "text"),
    "cas_refused": ("title", "text", "back_to_chat"),
}


class WebPages:
    """The French pages of knowledge/web-pages.yml, rendered with every value escaped."""

    def __init__(self, path: Path) -> None:
        raw = read_yaml(path, ConfigError)
        for name, keys in PAGE_KEYS.items():
            entry = raw.get(name) if isinstance(raw, dict) else None
            if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in keys):
                raise ConfigError(f"{path}: page {name!r} needs {', '.join(keys)}")
        self._pages: dict[str, dict[str, str]] = raw

    def render(
        self,
        name: str,
        status: int,
        token: str | None = None,
        values: dict[str, str] | None = None,
        link: tuple[str, str] | None = None,
    ) -> web.Response:
        """The page `name`, its `{placeholders}` filled from `values`, every value escaped; `link` is a
        (address, key of the page's label) pair shown under the text."""
        page = self._pages[name]
        form = ""
        if token is not None:
            form = _CONFIRM_FORM.format(token=html.escape(token), button=html.escape(page["button"]))
        if link is not None:
            form += _LINK.format(href=html.escape(link[0]), label=html.escape(page[link[1]]))
        text = fill(page["text"], values or {})
        body = _PAGE.format(title=html.escape(page["title"]), text=html.escape(text), form=form)
        return web.Response(text=body, content_type="text/html", status=status, headers={"Cache-Control": "no-store"})


PAGES = web.AppKey("pages", WebPages)


_BANNER = '<div class="banner" role="status">{items}</div>'
_HEADER_END = "</header>"


def with_banners(page: str, banners: list[str]) -> str:
    """The chat page with `banners` (texts, escaped here) shown under its header; the page as it is without any."""
    if not banners or _HEADER_END not in page:
        return page
    items = "".join(f"<p>{html.escape(banner, quote=False)}</p>" for banner in banners)  # element text
    return page.replace(_HEADER_END, _HEADER_END + "\n" + _BANNER.format(items=items), 1)
