"""Opting a chat in to notices (`/abonner`) and out (`/desabonner`): freeze announcements, the reminder to activate,
an ADML's weekly digest (`bot.services.notices`)."""

from __future__ import annotations

import abc

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, actor_of
from bot.core.authz import Actor
from bot.services.container import Services
from bot.services.notices import Subscription, subscribe, unsubscribe


class _SubscriptionChange(NamedAction, abc.ABC):
    """Changes the chat's subscription and says what came of it (`utter_subscription_<outcome>`)."""

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        outcome = self.change(context.services(), actor_of(tracker))
        dispatcher.utter_message(response=f"utter_subscription_{outcome.value}")
        return []

    @abc.abstractmethod
    def change(self, services: Services, actor: Actor) -> Subscription: ...


class ActionSubscribe(_SubscriptionChange):
    NAME = "action_subscribe"

    def change(self, services: Services, actor: Actor) -> Subscription:
        return subscribe(services, actor)


class ActionUnsubscribe(_SubscriptionChange):
    NAME = "action_unsubscribe"

    def change(self, services: Services, actor: Actor) -> Subscription:
        return unsubscribe(services, actor)
