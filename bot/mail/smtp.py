"""SMTP adapter (standard library `smtplib`), with optional STARTTLS and login."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.config import SmtpSettings
from bot.mail.port import Mail, MailError


class SmtpMailer:
    instantaneous = False  # a network server: only the outbox's background sender calls it

    def __init__(self, settings: SmtpSettings, sender: str, password: str | None) -> None:
        self.settings = settings
        self.sender = sender
        self._password = password

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="clef.invalid")
        message.set_content(mail.body)
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.settings.timeout_seconds) as smtp:
                if self.settings.starttls:
                    smtp.starttls()
                if self.settings.username:
                    smtp.login(self.settings.username, self._password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.settings.host}:{self.settings.port}: {exc}") from exc
