"""Linking a chat to an ENT identity with a one-time code sent to an address on file."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import actor_of, channel_of, clean_login
from bot.operations import RATE_LIMITED

CODE_MESSAGES = {
    "expired": "Ce code a expiré. Recommencez avec /lier pour en recevoir un nouveau.",
    "too_many_attempts": "Trop d'essais : ce code ne fonctionne plus. Recommencez avec /lier dans quelques minutes.",
    "no_code": "Aucun code n'est en attente pour cette conversation. Recommencez avec /lier.",
}


class ValidateLinkForm(Action):
    """Sends the code once the identifier is known, then checks what the user types."""

    def name(self) -> str:
        return "validate_link_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = tracker.get_slot("requested_slot")
        login = clean_login(tracker.get_slot("link_login") or tracker.get_slot("username"))
        if requested != "link_code":
            if not login:
                return [SlotSet("link_login", None)]
            result = services.operations().start_link(actor_of(tracker), channel_of(tracker), login)
            if result.status == RATE_LIMITED:
                dispatcher.utter_message(response="utter_rate_limited")
                return [SlotSet("link_login", None), ActiveLoop(None), SlotSet("requested_slot", None)]
            minutes = services.get().config.linking.code_ttl_minutes
            dispatcher.utter_message(
                text=(
                    f"Si ce compte existe, je viens d'envoyer un code à 6 chiffres à sa messagerie ENT ou à son "
                    f"adresse de secours validée. Il est valable {minutes} minutes ; regardez aussi dans les spams."
                )
            )
            return [SlotSet("link_login", login), SlotSet("link_code", None)]
        code = "".join(ch for ch in str(tracker.get_slot("link_code") or "") if ch.isdigit())
        result, linked = services.operations().complete_link(actor_of(tracker), channel_of(tracker), code)
        if result.done:
            return [SlotSet("link_login", linked), SlotSet("link_code", "ok")]
        if result.reason == "wrong":
            dispatcher.utter_message(text="Ce code n'est pas le bon. Vérifiez le dernier mail reçu et réessayez.")
            return [SlotSet("link_code", None)]
        dispatcher.utter_message(text=CODE_MESSAGES.get(result.reason or "", CODE_MESSAGES["no_code"]))
        return [
            SlotSet("link_code", None),
            SlotSet("link_login", None),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
        ]


class ActionAskLinkCode(Action):
    def name(self) -> str:
        return "action_ask_link_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="Tapez ici le code reçu.", buttons=[{"title": "Annuler", "payload": "/cancel"}])
        return []


class ActionLinkDone(Action):
    def name(self) -> str:
        return "action_link_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        login = tracker.get_slot("link_login")
        dispatcher.utter_message(response="utter_link_done", link_login=login)
        return [SlotSet("username", login), SlotSet("link_code", None)]


class ActionUnlink(Action):
    def name(self) -> str:
        return "action_unlink"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        removed = services.operations().unlink(actor_of(tracker), channel_of(tracker))
        dispatcher.utter_message(response="utter_unlinked" if removed else "utter_not_linked")
        return [SlotSet("link_login", None)]
