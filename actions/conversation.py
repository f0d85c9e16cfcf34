"""Keeping the conversation on track: unsure understanding, stray information, cancel, a second problem."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import INTENT_LABELS
from bot.core.schools import is_clear_match, school_matches

HUMAN = {"title": "Parler à un conseiller", "payload": "/escalate_human"}
MAIN_TOPICS = ("cannot_login", "ask_activation_howto", "cesame_access")


class ActionClarify(Action):
    """Below the confidence threshold: offer the likeliest topics, then a human on the second miss."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        ranking = tracker.latest_message.get("intent_ranking") or []
        s.conversations.record_miss(tracker.latest_message.get("text") or "", ranking, s.now())
        misses = int(tracker.get_slot("misunderstood") or 0) + 1
        choices = [r["name"] for r in ranking if r["name"] in INTENT_LABELS and r["confidence"] >= 0.08][:3]
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in choices]
        if misses >= 2:
            buttons = [b for b in buttons if b["payload"] != HUMAN["payload"]] + [HUMAN]
            text = (
                "Je n'ai toujours pas bien compris, désolé. Choisissez un sujet ci-dessous, ou je transmets votre "
                "demande à un conseiller."
            )
        elif buttons:
            text = "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire…"
        else:
            buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in MAIN_TOPICS]
            text = "Je n'ai pas compris. Pouvez-vous reformuler en quelques mots, ou choisir un sujet ?"
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet("misunderstood", misses)]


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_help")
        return []


class ActionInform(Action):
    """Information given outside a form: an ENT choice answers a pending question, an identifier starts a check."""

    def name(self) -> str:
        return "action_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entities = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities") or []}
        if tracker.get_slot("pending_intent") and tracker.get_slot("tenant"):
            return [FollowupAction("action_answer_faq")]
        if tracker.get_slot("pending_intent") and "uai" not in entities:
            # asked which ENT, the user named their school: its ENT answers the question
            text = str(tracker.latest_message.get("text") or "")
            matches = school_matches(text, services.get().directory.find_establishments(text))
            if matches and is_clear_match(matches):
                return [SlotSet("tenant", matches[0].establishment.tenant), FollowupAction("action_answer_faq")]
        if "tenant" in entities and tracker.get_slot("last_faq_intent"):
            # "et sur monlycee ?" after an answer: the same question for the other ENT
            return [SlotSet("pending_intent", tracker.get_slot("last_faq_intent")), FollowupAction("action_answer_faq")]
        if "username" in entities:
            return [SlotSet("problem", tracker.get_slot("problem") or "cannot_login"), FollowupAction("diagnosis_form")]
        if "profile" in entities and entities["profile"] in {
            "cridf",
            "cridf_contractor",
            "school_contractor",
            "dsi_academique",
        }:
            return [FollowupAction("nocas_form")]
        if "tenant" in entities:
            facts = services.get().tenant_facts(entities["tenant"])
            dispatcher.utter_message(
                text=f"C'est noté : {facts.get('ent_name', entities['tenant'])}. Que puis-je faire pour vous ?",
                buttons=[
                    {"title": INTENT_LABELS["cannot_login"], "payload": "/cannot_login"},
                    {"title": INTENT_LABELS["ask_activation_howto"], "payload": "/ask_activation_howto"},
                ],
            )
            return []
        if "email" in entities:
            dispatcher.utter_message(response="utter_typed_address_refused")
            return []
        dispatcher.utter_message(response="utter_help")
        return []


class ActionCancel(Action):
    def name(self) -> str:
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_cancelled")
        return [Restarted()]


class ActionOfferSecondIntent(Action):
    """Two problems in one message: the first was dealt with; offer the second."""

    def name(self) -> str:
        return "action_offer_second_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        second = tracker.get_slot("second_intent")
        if second in INTENT_LABELS:
            dispatcher.utter_message(
                text=f"Vous avez aussi mentionné : « {INTENT_LABELS[second]} ». Voulez-vous qu'on s'en occupe ?",
                buttons=[
                    {"title": f"Oui : {INTENT_LABELS[second]}", "payload": f"/{second}"},
                    {"title": "Non merci", "payload": "/deny"},
                ],
            )
        return [SlotSet("second_intent", None)]
