"""The Rasa REST channel protocol over a real HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def say(url: str, sender: str, message: str) -> list[dict]:
    status, body = post(url, json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, body
    assert isinstance(body, list)
    return body


def test_bonjour_gets_a_french_greeting_with_buttons(running_assistant: str) -> None:
    replies = say(running_assistant, "rest-1", "bonjour")
    assert replies[0]["recipient_id"] == "rest-1"
    assert "Bonjour" in replies[0]["text"]
    assert {"title": "Je n'arrive pas à me connecter", "payload": "/cannot_login"} in replies[0]["buttons"]


def test_a_button_payload_continues_the_conversation(running_assistant: str) -> None:
    say(running_assistant, "rest-2", "bonjour")
    replies = say(running_assistant, "rest-2", "/cannot_login")
    assert "identifiant ENT" in replies[-1]["text"]
    replies = say(running_assistant, "rest-2", "chloe.bernard")
    assert "expiré" in " ".join(r["text"] for r in replies)
    assert [b["title"] for b in replies[-1]["buttons"]] == ["Oui", "Non"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "must be JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"message": "bonjour"}).encode(), "`sender`"),
        (json.dumps({"sender": "a b", "message": "x"}).encode(), "`sender`"),
        (json.dumps({"sender": "ok", "message": 42}).encode(), "`message` must be a string"),
    ],
)
def test_bad_requests_get_a_clear_400(running_assistant: str, body: bytes, message: str) -> None:
    status, answer = post(running_assistant, body)
    assert status == 400
    assert message in answer["error"]


def test_a_ten_thousand_character_message_is_answered_and_cut(running_assistant: str) -> None:
    replies = say(running_assistant, "rest-long", "j'arrive pas a me connecter " + "a" * 10_000)
    assert "très long" in replies[0]["text"]
    assert len(replies) >= 2


def test_html_in_a_message_comes_back_as_text_not_markup(running_assistant: str) -> None:
    replies = say(running_assistant, "rest-html", "<script>alert(1)</script>")
    assert all("<script>" not in r["text"] for r in replies)
