"""What the adapters compute without a server: webhook signatures as GLPI 11 and Zammad make them, and the plain
text a chat shows of a followup's rich text."""

from __future__ import annotations

import hashlib
import hmac

from bot.helpdesk.plain import as_html, plain_text
from bot.helpdesk.signatures import glpi_signed, zammad_signed


def test_a_glpi_signature_covers_the_body_then_the_timestamp() -> None:
    body, timestamp = b'{"event":"update","item":{"id":3}}', "1764651000"
    signature = hmac.new(b"k", body + timestamp.encode(), hashlib.sha256).hexdigest()  # GLPI's hash_hmac(…)
    assert glpi_signed(body, timestamp, signature, "k")
    assert not glpi_signed(body, "1764651001", signature, "k")  # another timestamp
    assert not glpi_signed(body + b" ", timestamp, signature, "k")
    assert not glpi_signed(body, timestamp, signature, "other")
    assert not glpi_signed(body, None, signature, "k") and not glpi_signed(body, timestamp, None, "k")


def test_a_zammad_signature_is_the_bodys_sha1_hmac() -> None:
    body = b'{"ticket":{"id":5}}'
    signature = "sha1=" + hmac.new(b"k", body, hashlib.sha1).hexdigest()
    assert zammad_signed(body, signature, "k") and zammad_signed(body, signature.upper().replace("SHA1", "sha1"), "k")
    assert not zammad_signed(body, signature, "other") and not zammad_signed(body[:-1], signature, "k")
    assert not zammad_signed(body, signature.removeprefix("sha1="), "k") and not zammad_signed(body, None, "k")


def test_followups_read_as_plain_text_whatever_the_encoding() -> None:
    assert plain_text("<p>Bonjour,</p><p>c'est <b>réglé</b>.</p>") == "Bonjour,\nc'est réglé."
    assert plain_text("&lt;p&gt;Bonjour&lt;br /&gt;Cordialement&lt;/p&gt;") == "Bonjour\nCordialement"  # GLPI's
    assert plain_text(as_html("si a < b & c > d")) == "si a < b & c > d"
    assert plain_text(as_html("<script>x</script>")) == "<script>x</script>"  # shown as typed
