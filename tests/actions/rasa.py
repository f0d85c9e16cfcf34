"""Running an action in the rasa-sdk style: a tracker from a dict, a collecting dispatcher, `await action.run`.

What an action says is read through the domain (`Ran.text`, `Ran.buttons`), so a reply moved from Python to
`knowledge/domain.yml` reads the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.domain import Domain, load_domain

ROOT = Path(__file__).resolve().parents[2]
ADML = "telegram:6001"  # isabelle.roux, ADML of 0750001A
OTHER_ADML = "telegram:6002"  # claire.lambert, ADML of 0931234B
USER = "telegram:5001"  # lucas.martin, a student of 0750001A


def demo_domain() -> Domain:
    return load_domain(ROOT / "knowledge" / "domain.yml")


def tracker(
    sender: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    text: str | None = None,
    metadata: dict[str, Any] | None = None,
    **entities: Any,
) -> Tracker:
    """The tracker an action receives: who writes, the slots, and the latest message (its intent and entities)."""
    return Tracker.from_dict(tracker_state(sender, intent, slots, text, metadata, **entities))


def tracker_state(
    sender: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    text: str | None = None,
    metadata: dict[str, Any] | None = None,
    **entities: Any,
) -> dict[str, Any]:
    """The tracker as the action server's protocol sends it (`Tracker.from_dict` reads it)."""
    latest: dict[str, Any] = {
        "text": "/" + intent if text is None else text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
    }
    if metadata is not None:
        latest["metadata"] = metadata
    return {
        "sender_id": sender,
        "slots": slots or {},
        "latest_message": latest,
        "events": [{"event": "user", "text": latest["text"], "parse_data": latest}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


class Ran:
    def __init__(self, events: list[dict[str, Any]], dispatcher: CollectingDispatcher, domain: Domain) -> None:
        self.events = events
        self.messages = dispatcher.messages
        self.domain = domain

    @property
    def responses(self) -> list[str | None]:
        """The named responses said, in order (None for a message given as text)."""
        return [message.get("response") for message in self.messages]

    @property
    def text(self) -> str:
        """What the user reads: texts, and named responses rendered from the domain."""
        said = []
        for message in self.messages:
            if message.get("response"):
                rendered = self.domain.render(message["response"], {}, message)
                assert rendered is not None, message["response"]
                said.append(rendered["text"])
            else:
                said.append(message.get("text") or "")
        return "\n".join(said)

    @property
    def buttons(self) -> list[str]:
        """The button titles the user sees: given with the message, or those of its named response."""
        return [b["title"] for b in self.button_list]

    @property
    def payloads(self) -> list[str]:
        """What the buttons send when clicked."""
        return [b["payload"] for b in self.button_list]

    @property
    def button_list(self) -> list[dict[str, str]]:
        buttons: list[dict[str, str]] = []
        for message in self.messages:
            given = message.get("buttons") or []
            if not given and message.get("response"):
                rendered = self.domain.render(message["response"], {}, message)
                given = (rendered or {}).get("buttons") or []
            buttons += given
        return buttons

    def slot(self, name: str) -> Any:
        sets = [e for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        assert sets, f"{name} not set; events: {self.events}"
        return sets[-1]["value"]


async def run(action: Action, on: Tracker, domain: Domain) -> Ran:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, on, domain.as_rasa_dict())
    return Ran(events, dispatcher, domain)
