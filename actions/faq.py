"""Answers from the knowledge articles, per ENT; asks which ENT when the answer depends on it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, known_tenant
from bot.placeholders import fill
from bot.texts import text as message


class ActionAnswerFaq(NamedAction):
    NAME = "action_answer_faq"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        services = context.services()
        latest = (tracker.latest_message.get("intent") or {}).get("name")
        intent = str(tracker.get_slot("pending_intent") or latest or "")  # "" has no article
        tenant = known_tenant(tracker)
        choice = services.knowledge.choose(intent, tenant)
        if choice.ask_tenant_among:
            if choice.said_before_asking:
                general = choice.said_before_asking
                dispatcher.utter_message(text=fill(general.answer_without_ent, services.tenant_facts(general.tenant)))
            dispatcher.utter_message(response="utter_ask_tenant")
            return [SlotSet("pending_intent", intent)]
        article = choice.article
        if article is None:
            dispatcher.utter_message(response="utter_no_article", **services.tenant_facts(tenant))
            return [SlotSet("pending_intent", None)]
        if tenant is None:
            # the announced freeze dates of every ENT, named, when the ENT is not known
            schedules = message("freeze_windows_separator").join(
                message(
                    "freeze_schedule_of",
                    ent_name=services.tenant_facts(t)["ent_name"],
                    schedule=services.tenant_facts(t)["freeze_schedule"],
                )
                for t in services.config.tenants
            )
            renders = {
                fill(article.answer, {**services.tenant_facts(t), "freeze_schedule": schedules})
                for t in services.config.tenants
            }
            if len(renders) > 1:
                dispatcher.utter_message(response="utter_ask_tenant")
                return [SlotSet("pending_intent", intent)]
            text = renders.pop()
        else:
            text = fill(article.answer, services.tenant_facts(tenant))
        if not (article.introduction and _said_before(tracker, text) and tracker.latest_message.get("entities")):
            dispatcher.utter_message(text=text, buttons=[dict(b) for b in article.buttons])
        events: list[dict[str, Any]] = [SlotSet("pending_intent", None), SlotSet("last_faq_intent", intent)]
        if tenant and tracker.get_slot("tenant") != tenant:
            events.append(SlotSet("tenant", tenant))
        return events


def _said_before(tracker: Tracker, text: str) -> bool:
    """Whether the assistant said `text` earlier in the conversation (its stored window of events)."""
    return any(event.get("event") == "bot" and event.get("text") == text for event in tracker.events)
