"""Redaction of what must not be stored: passwords, e-mail addresses, phone numbers, one-time codes."""

from __future__ import annotations

import re

from bot.core.accounts import LOGIN_PATTERN

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_PASSWORD_CONTEXT = re.compile(
    r"(\b(?:mot\s+de\s+passe|mdp|password|passwd)\b(?:\s+provisoire)?\s*(?:est\s*:?|c['’]est|=|:)\s*)(\S+)",
    re.IGNORECASE,
)
# "mon mdp soleil2024 marche pas": a token with a digit right after the word, without "est" or ":"
_PASSWORD_AFTER_WORD = re.compile(
    r"(\b(?:mot\s+de\s+passe|mdp|password|passwd)\b(?:\s+provisoire)?\s+)(?=\S*\d)(?!\d{7}[A-Za-z]\b)(\S{6,})",
    re.IGNORECASE,
)
_CODE = re.compile(r"(?<![\d#])\d{6}(?!\d)")
# a lone token mixing letters with digits or symbols, 8+ chars, and not a school code nor an identifier (whatever
# its case: phones capitalise "Marie.dupont2")
_PASSWORD_LIKE = re.compile(
    r"(?<!\S)(?=\S*[A-Za-z])(?=\S*\d)(?=\S*[^\w\s.@-]|\S*[A-Z])"
    rf"(?!\d{{7}}[A-Za-z](?!\S))(?!(?i:{LOGIN_PATTERN})[.,;!?]?(?!\S))\S{{8,}}(?!\S)"
)


def mask_email(address: str) -> str:
    """`marie.dupont@gmail.com` → `m***t@g***.com`: enough for its owner to recognise it."""
    local, _, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    masked_local = local[0] + "***" + (local[-1] if len(local) > 2 else "")
    masked_domain = (name[0] + "***" + dot + tld) if name else domain
    return f"{masked_local}@{masked_domain}"


def contains_password(text: str) -> bool:
    """Whether the text seems to hold a password ("mon mdp est …", or a lone password-like token)."""
    for match in _PASSWORD_CONTEXT.finditer(text):
        token = match.group(2)
        if len(token) >= 6 and re.search(r"[\d\W]|[A-Z]", token):
            return True
    return bool(_PASSWORD_AFTER_WORD.search(text) or _PASSWORD_LIKE.search(text))


def redact(text: str) -> str:
    """The text with passwords, addresses, phone numbers and 6-digit codes replaced by markers."""
    text = _PASSWORD_CONTEXT.sub(lambda m: m.group(1) + "[mot de passe masqué]", text)
    text = _PASSWORD_AFTER_WORD.sub(lambda m: m.group(1) + "[mot de passe masqué]", text)
    text = _EMAIL.sub(lambda m: "[adresse " + mask_email(m.group(0)) + "]", text)
    text = _PHONE.sub("[téléphone masqué]", text)
    text = _PASSWORD_LIKE.sub("[masqué]", text)
    return _CODE.sub("[code masqué]", text)
