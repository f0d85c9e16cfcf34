"""`make chat`: the terminal channel, buttons pressed by their number."""

from __future__ import annotations

import io

from bot.channels.console import chat
from bot.services.assistant import Assistant


def test_a_terminal_conversation_with_numbered_buttons(assistant: Assistant) -> None:
    out = io.StringIO()
    chat(assistant, io.StringIO("bonjour\n2\n\n1\n"), out)
    text = out.getvalue()
    assert "clef> Bonjour" in text and "   [2] Activer mon compte" in text
    assert "Sur quel ENT" in text  # button 2 pressed: which ENT?
    assert "https://ent.iledefrance.fr/" in text  # button 1: MonLycée.net's procedure
