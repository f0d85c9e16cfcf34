"""Capture adapter: mails written as files under a folder instead of being sent (demo, replay, tests)."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from bot.mail.port import Mail


class CaptureMailer:
    instantaneous = True  # a file write: sent within the turn, so `sent` is filled when the turn ends

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sent: list[Mail] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def send(self, mail: Mail) -> None:
        with self._lock:
            self.sent.append(mail)
            self.folder.mkdir(parents=True, exist_ok=True)
            existing = len(list(self.folder.glob("*.eml")))
            number = max(existing + 1, next(self._numbers))
            path = self.folder / f"{number:05d}.eml"
            path.write_text(f"To: {mail.recipient}\nSubject: {mail.subject}\n\n{mail.body}\n", encoding="utf-8")
