"""Tickets from the user's side: open one, follow it, rate it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import INTENT_LABELS, actor_of, channel_of, format_local, known_tenant

STATUS_LABELS = {"open": "en attente d'un conseiller", "taken": "prise en charge par un conseiller", "closed": "close"}


class ActionCreateTicket(Action):
    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        problem = tracker.get_slot("problem")
        diagnosis = tracker.get_slot("diagnosis")
        login = tracker.get_slot("username")
        summary = (
            "; ".join(
                part
                for part in (
                    f"problème : {INTENT_LABELS.get(problem, problem)}" if problem else "",
                    f"diagnostic : {diagnosis}" if diagnosis else "",
                    f"identifiant : {login}" if login else "",
                )
                if part
            )
            or "demande d'aide"
        )
        result = services.operations().create_ticket(
            actor_of(tracker),
            channel_of(tracker),
            known_tenant(tracker),
            login,
            diagnosis,
            summary,
            current_message=tracker.latest_message.get("text"),
        )
        if result.done:
            dispatcher.utter_message(response="utter_ticket_created", ticket_id=result.reference)
        elif result.reason == "already_open":
            dispatcher.utter_message(response="utter_ticket_already_open", ticket_id=result.reference)
        else:
            dispatcher.utter_message(response="utter_rate_limited")
        return [SlotSet("proposed_operation", None)]


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        asked = tracker.get_slot("ticket_id")
        ticket = None
        if asked and str(asked).isdigit():
            candidate = s.tickets.get(int(asked))
            if candidate and (candidate.sender_id == tracker.sender_id or actor_of(tracker).is_agent):
                ticket = candidate
        else:
            ticket = s.tickets.latest_for(tracker.sender_id)
        if ticket is None:
            dispatcher.utter_message(response="utter_no_ticket")
        else:
            dispatcher.utter_message(
                response="utter_ticket_status",
                ticket_id=ticket.id,
                status_label=STATUS_LABELS.get(ticket.status, ticket.status),
                updated=format_local(ticket.updated_at),
            )
        return [SlotSet("ticket_id", None)]


class ActionRateTicket(Action):
    def name(self) -> str:
        return "action_rate_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        ticket = s.tickets.latest_for(tracker.sender_id)
        try:
            rating = int(tracker.get_slot("rating"))
        except (TypeError, ValueError):
            rating = 0
        if ticket is None or ticket.status != "closed" or not 1 <= rating <= 5:
            dispatcher.utter_message(response="utter_no_ticket")
        else:
            s.tickets.rate(ticket.id, rating, s.now())
            dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet("rating", None)]
