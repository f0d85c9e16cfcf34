"""The agents' desk API over the real assistant process: a ticket from the web chat, worked by an agent."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.channels.conftest import AGENT_TOKEN
from tests.channels.test_web_rest import say


def desk(url: str, method: str, path: str, body: Any = None, token: str = AGENT_TOKEN) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def inbox(url: str, sender: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/inbox?sender={sender}", timeout=30) as response:
        return json.loads(response.read())


def test_an_unknown_token_is_refused(running_assistant: str) -> None:
    status, body = desk(running_assistant, "GET", "/api/desk/tickets", token="wrong")
    assert status == 401 and body == {"error": "unknown agent token"}


def test_an_agent_takes_answers_and_closes_a_web_ticket(running_assistant: str) -> None:
    replies = say(running_assistant, "desk-user-1", "je voudrais parler a un conseiller, mon mail est jean@example.org")
    assert "transmise" in replies[0]["text"]
    number = int(replies[0]["text"].split("n°")[1].split()[0])
    status, listing = desk(running_assistant, "GET", "/api/desk/tickets")
    assert status == 200
    (ticket,) = [t for t in listing["tickets"] if t["id"] == number]
    assert ticket["channel"] == "web" and ticket["status"] == "open"
    status, detail = desk(running_assistant, "GET", f"/api/desk/tickets/{ticket['id']}")
    assert "parler a un conseiller" in detail["transcript"] and "jean@example.org" not in detail["transcript"]

    status, taken = desk(running_assistant, "POST", f"/api/desk/tickets/{ticket['id']}/take")
    assert status == 200 and taken["status"] == "taken"
    assert "pris en charge" in inbox(running_assistant, "desk-user-1")[0]["text"]

    status, _ = desk(
        running_assistant,
        "POST",
        f"/api/desk/tickets/{ticket['id']}/reply",
        {"text": "Essayez « Activer mon compte »."},
    )
    assert status == 200
    (relayed,) = inbox(running_assistant, "desk-user-1")
    assert relayed["text"] == f"Conseiller (demande n°{ticket['id']}) : Essayez « Activer mon compte »."

    say(running_assistant, "desk-user-1", "merci, ca marche maintenant")
    status, detail = desk(running_assistant, "GET", f"/api/desk/tickets/{ticket['id']}")
    assert [m["author"] for m in detail["messages"]] == ["agent", "user"]

    status, closed = desk(running_assistant, "POST", f"/api/desk/tickets/{ticket['id']}/close")
    assert status == 200 and closed["status"] == "closed"
    (rating,) = inbox(running_assistant, "desk-user-1")
    assert [b["title"] for b in rating["buttons"]] == ["1", "2", "3", "4", "5"]
    status, body = desk(running_assistant, "POST", f"/api/desk/tickets/{ticket['id']}/reply", {"text": "encore"})
    assert status == 409 and "close" in body["error"]


def test_bad_desk_requests_get_clear_errors(running_assistant: str) -> None:
    assert desk(running_assistant, "GET", "/api/desk/tickets/999999")[0] == 404
    status, body = desk(running_assistant, "POST", "/api/desk/tickets/1/explode")
    assert status == 404 and body == {"error": "unknown action 'explode'"}
    # the length limit answers whatever the ticket's state (a closed ticket would answer 409)
    status, body = desk(running_assistant, "POST", "/api/desk/tickets/1/reply", {"text": "x" * 4000})
    assert status == 400 and body == {"error": "`text` is limited to 3500 characters"}
