"""The SMTP adapter against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.config import SmtpSettings
from bot.mail.port import MailError
from bot.mail.smtp import SmtpMailer
from bot.mail.templates import compose
from tests.support.processes import free_port


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield recorder, port
    controller.stop()


def test_a_french_mail_arrives_whole(smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port), "Assistance ENT <ne-pas-repondre@clef.test>", None)
    mail = compose("link_code", "eleve@example.org", {"ent_name": "MonLycée.net", "code": "482913", "minutes": "10"})
    mailer.send(mail)
    assert len(recorder.messages) == 1
    sender, recipients, message = recorder.messages[0]
    assert recipients == ["eleve@example.org"] and "ne-pas-repondre@clef.test" in sender
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "MonLycée.net : votre code de vérification"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes), "a single-part mail"
    body = payload.decode(message.get_content_charset() or "utf-8")
    assert "482913" in body and "10 minutes" in body and "vérifier" in body


def test_a_server_that_is_down_raises_a_mail_error() -> None:
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=2), "a@b.test", None)
    with pytest.raises(MailError, match=r"SMTP 127\.0\.0\.1"):
        mailer.send(compose("link_code", "x@example.org", {"ent_name": "ENT", "code": "1", "minutes": "1"}))
