"""Opting a chat in to notices (`/abonner`) and out (`/desabonner`): freeze announcements, the reminder to activate,
an ADML's weekly digest (`bot.services.notices`)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, actor_of
from bot.services.notices import subscribe, unsubscribe


class ActionSubscribe(NamedAction):
    NAME = "action_subscribe"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        outcome = subscribe(context.services(), actor_of(tracker))
        dispatcher.utter_message(response=f"utter_subscription_{outcome.value}")
        return []


class ActionUnsubscribe(NamedAction):
    NAME = "action_unsubscribe"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        outcome = unsubscribe(context.services(), actor_of(tracker))
        dispatcher.utter_message(response=f"utter_subscription_{outcome.value}")
        return []
