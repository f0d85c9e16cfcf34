"""Followups come back as HTML (GLPI's rich text, escaped once more in its database; Zammad's text/html bodies):
the user's chat reads plain text."""

from __future__ import annotations

import html
import re

_BREAKS = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li)\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def plain_text(markup: str) -> str:
    """`markup` as plain text: its tags dropped, then its entities decoded (a `<` typed stays a `<`). Markup that
    is itself encoded (no tag, `&lt;` — as GLPI keeps rich text) is decoded once first."""
    text = html.unescape(markup) if "<" not in markup and "&lt;" in markup else markup
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", text)))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def as_html(text: str) -> str:
    """Plain text as the rich-text content both helpdesks show: escaped, one paragraph per line."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()) or "<p></p>"
