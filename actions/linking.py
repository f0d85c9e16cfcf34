"""Linking a chat to an ENT identity with a one-time code sent to an address on file."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, actor_of, channel_of, clean_login
from bot.services.operations import RATE_LIMITED

# why a typed code was refused, and what is said (the code is then given up)
CODE_RESPONSES = {
    "expired": "utter_link_code_expired",
    "too_many_attempts": "utter_link_code_too_many_attempts",
    "no_code": "utter_link_code_none",
}


class ValidateLinkForm(NamedAction):
    """Sends the code once the identifier is known, then checks what the user types."""

    NAME = "validate_link_form"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        requested = tracker.get_slot("requested_slot")
        login = clean_login(tracker.get_slot("link_login") or tracker.get_slot("username"))
        if requested != "link_code":
            if not login:
                return [SlotSet("link_login", None)]
            result = context.operations().start_link(actor_of(tracker), channel_of(tracker), login)
            if result.status == RATE_LIMITED:
                dispatcher.utter_message(response="utter_rate_limited")
                return [SlotSet("link_login", None), ActiveLoop(None), SlotSet("requested_slot", None)]
            settings = context.services().config.linking
            dispatcher.utter_message(
                response="utter_link_code_sent", minutes=settings.code_ttl_minutes, digits=settings.code_digits
            )
            return [SlotSet("link_login", login), SlotSet("link_code", None)]
        code = "".join(ch for ch in str(tracker.get_slot("link_code") or "") if ch.isdigit())
        result, linked = context.operations().complete_link(actor_of(tracker), channel_of(tracker), code)
        if result.done:
            return [SlotSet("link_login", linked), SlotSet("link_code", "ok")]
        if result.reason == "wrong":
            dispatcher.utter_message(response="utter_link_code_wrong")
            return [SlotSet("link_code", None)]
        dispatcher.utter_message(response=CODE_RESPONSES.get(result.reason or "", CODE_RESPONSES["no_code"]))
        return [
            SlotSet("link_code", None),
            SlotSet("link_login", None),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
        ]


class ActionLinkDone(NamedAction):
    NAME = "action_link_done"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        login = tracker.get_slot("link_login")
        dispatcher.utter_message(response="utter_link_done", link_login=login)
        return [SlotSet("username", login), SlotSet("link_code", None)]


class ActionUnlink(NamedAction):
    NAME = "action_unlink"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        removed = context.operations().unlink(actor_of(tracker), channel_of(tracker))
        dispatcher.utter_message(response="utter_unlinked" if removed else "utter_not_linked")
        return [SlotSet("link_login", None)]
