"""What a web chat sends, checked the same way on the REST channel and on socket.io: the sender id a client
chose (namespaced `web:` so that it can never pose as another channel's user) and the text of a message."""

from __future__ import annotations

import re
from typing import Any

SENDER = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")


def web_sender(raw: Any) -> str | None:
    """The sender id of a web chat, namespaced so it can never pose as another channel's user."""
    if not isinstance(raw, str) or not SENDER.match(raw):
        return None
    return f"web:{raw}"


def is_unicode_text(text: str) -> bool:
    """False for text that no file, database or answer can hold (JSON's lone surrogates, `"\\ud800"`)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
