"""French mail templates from `knowledge/mail/*.txt`: first line `Subject: …`, a blank line, the body."""

from __future__ import annotations

from functools import cache

from bot.config import PROJECT_ROOT
from bot.mail.port import Mail

TEMPLATES_DIR = PROJECT_ROOT / "knowledge" / "mail"


@cache
def _template(name: str) -> tuple[str, str]:
    text = (TEMPLATES_DIR / f"{name}.txt").read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: "):
        raise ValueError(f"{name}.txt must start with 'Subject: '")
    return head.removeprefix("Subject: ").strip(), body


def compose(template: str, recipient: str, values: dict[str, str]) -> Mail:
    """The mail `template` to `recipient`, its `{placeholders}` filled from `values`."""
    subject, body = _template(template)
    return Mail(recipient=recipient, subject=subject.format_map(values), body=body.format_map(values))
