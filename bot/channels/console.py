"""`make chat`: the assistant in the terminal. Buttons are numbered; type the number to press one."""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

from bot import texts
from bot.messages import InboundMessage, OutboundMessage
from bot.services.assistant import Assistant


def _show(messages: list[OutboundMessage], out: TextIO) -> list[str]:
    payloads: list[str] = []
    for message in messages:
        print(f"clef> {message.text}", file=out)
        for button in message.buttons:
            if button.url is not None:  # a link (the ENT's login): opened in a browser, not pressed here
                print(f"   [{button.title}] {button.url}", file=out)
                continue
            payloads.append(button.payload)
            print(f"   [{len(payloads)}] {button.title}", file=out)
    return payloads


def chat(assistant: Assistant, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    sender = f"console:{uuid.uuid4().hex[:12]}"
    print(texts.text("console_welcome"), file=out)
    payloads: list[str] = []
    for line in stdin:
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(payloads):
            text = payloads[int(text) - 1]
        result = assistant.handle(InboundMessage(sender, text))
        payloads = _show(result.messages + assistant.services.relay.take(sender), out)
        out.flush()
