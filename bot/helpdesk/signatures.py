"""The signatures of the helpdesks' webhooks (pure; the routes are in `bot.channels.helpdesk_web`).

- GLPI 11: `X-GLPI-signature` = hex HMAC-SHA256 of the body followed by the `X-GLPI-timestamp` header's value.
- Zammad: `X-Hub-Signature` = `sha1=` + hex HMAC-SHA1 of the body (the "HMAC SHA1 Signature Token" of the webhook).

A webhook only tells the assistant which ticket to look at: what it relays is read back through the API, so a
replayed delivery changes nothing (each followup is relayed once, see `bot.services.helpdesk_sync`).
"""

from __future__ import annotations

import hashlib
import hmac


def glpi_signature(body: bytes, timestamp: str, secret: str) -> str:
    return hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def zammad_signature(body: bytes, secret: str) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def glpi_signed(body: bytes, timestamp: str | None, signature: str | None, secret: str) -> bool:
    if not timestamp or not signature or not secret:
        return False
    return hmac.compare_digest(glpi_signature(body, timestamp, secret), signature.strip().lower())


def zammad_signed(body: bytes, signature: str | None, secret: str) -> bool:
    if not signature or not secret:
        return False
    return hmac.compare_digest(zammad_signature(body, secret), signature.strip().lower())
