"""Keeping the conversation on track: unsure understanding, stray information, cancel, a second problem."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import LABELLED_INTENTS, Events, NamedAction, human_button, intent_button, intent_label
from bot.core.eligibility import PROFILES_WITHOUT_SCHOOL
from bot.core.schools import is_clear_match, school_matches
from bot.texts import text

MAIN_TOPICS = ("cannot_login", "ask_activation_howto", "cesame_access")


class ActionClarify(NamedAction):
    """Below the confidence threshold: offer the likeliest topics, then a human on the second miss."""

    NAME = "action_clarify"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        services = context.services()
        ranking = tracker.latest_message.get("intent_ranking") or []
        services.conversations.record_miss(tracker.latest_message.get("text") or "", ranking, services.now())
        misses = int(tracker.get_slot("misunderstood") or 0) + 1
        choices = [r["name"] for r in ranking if r["name"] in LABELLED_INTENTS and r["confidence"] >= 0.08][:3]
        buttons = [intent_button(name) for name in choices]
        if misses >= 2:
            human = human_button()
            buttons = [b for b in buttons if b["payload"] != human["payload"]] + [human]
            response = "utter_clarify_again"
        elif buttons:
            response = "utter_clarify"
        else:
            buttons = [intent_button(name) for name in MAIN_TOPICS]
            response = "utter_clarify_rephrase"
        dispatcher.utter_message(response=response, buttons=buttons)
        return [SlotSet("misunderstood", misses)]


class ActionDefaultFallback(NamedAction):
    NAME = "action_default_fallback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        dispatcher.utter_message(response="utter_help")
        return []


class ActionInform(NamedAction):
    """Information given outside a form: an ENT choice answers a pending question, an identifier starts a check."""

    NAME = "action_inform"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        entities = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities") or []}
        if tracker.get_slot("pending_intent") and tracker.get_slot("tenant"):
            return [FollowupAction("action_answer_faq")]
        if tracker.get_slot("pending_intent") and "uai" not in entities:
            # asked which ENT, the user named their school: its ENT answers the question
            text = str(tracker.latest_message.get("text") or "")
            matches = school_matches(text, context.services().directory.find_establishments(text))
            if matches and is_clear_match(matches):
                return [SlotSet("tenant", matches[0].establishment.tenant), FollowupAction("action_answer_faq")]
        if "tenant" in entities and tracker.get_slot("last_faq_intent"):
            # "et sur monlycee ?" after an answer: the same question for the other ENT
            return [SlotSet("pending_intent", tracker.get_slot("last_faq_intent")), FollowupAction("action_answer_faq")]
        if "username" in entities:
            return [SlotSet("problem", tracker.get_slot("problem") or "cannot_login"), FollowupAction("diagnosis_form")]
        if entities.get("profile") in PROFILES_WITHOUT_SCHOOL:
            return [FollowupAction("nocas_form")]
        if "tenant" in entities:
            facts = context.services().tenant_facts(entities["tenant"])
            dispatcher.utter_message(
                response="utter_tenant_noted",
                noted_ent=facts.get("ent_name", entities["tenant"]),
                buttons=[intent_button("cannot_login"), intent_button("ask_activation_howto")],
            )
            return []
        if "email" in entities:
            dispatcher.utter_message(response="utter_typed_address_refused")
            return []
        dispatcher.utter_message(response="utter_help")
        return []


class ActionCancel(NamedAction):
    NAME = "action_cancel"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        dispatcher.utter_message(response="utter_cancelled")
        return [Restarted()]


class ActionOfferSecondIntent(NamedAction):
    """Two problems in one message: the first was dealt with; offer the second."""

    NAME = "action_offer_second_intent"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        second = tracker.get_slot("second_intent")
        if second in LABELLED_INTENTS:
            label = intent_label(second)
            dispatcher.utter_message(
                response="utter_offer_second_intent",
                second_label=label,
                buttons=[
                    intent_button(second, text("button_yes_second_intent", label=label)),
                    {"title": text("button_no_thanks"), "payload": "/deny"},
                ],
            )
        return [SlotSet("second_intent", None)]
