"""Tickets from the user's side: open one, follow it, rate it."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import (
    LABELLED_INTENTS,
    Events,
    NamedAction,
    actor_of,
    channel_of,
    format_local,
    intent_label,
    known_tenant,
)
from bot.storage.tickets import TicketStatus
from bot.texts import text


def _summary(problem: str | None, diagnosis: str | None, login: str | None) -> str:
    """The ticket's one line for the agents: the problem, the diagnosis, the identifier."""
    parts = [
        text("ticket_summary_problem", problem=intent_label(problem) if problem in LABELLED_INTENTS else problem)
        if problem
        else "",
        text("ticket_summary_diagnosis", diagnosis=diagnosis) if diagnosis else "",
        text("ticket_summary_login", login=login) if login else "",
    ]
    return text("ticket_summary_separator").join(part for part in parts if part) or text("ticket_summary_empty")


class ActionCreateTicket(NamedAction):
    NAME = "action_create_ticket"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        problem = tracker.get_slot("problem")
        diagnosis = tracker.get_slot("diagnosis")
        login = tracker.get_slot("username")
        summary = _summary(problem, diagnosis, login)
        result = context.operations().create_ticket(
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
        return [SlotSet("proposed_operation", None), SlotSet("ticket_open", True)]


class ActionTicketStatus(NamedAction):
    NAME = "action_ticket_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        services = context.services()
        asked = tracker.get_slot("ticket_id")
        ticket = None
        if asked and str(asked).isdigit():
            candidate = services.tickets.get(int(asked))
            if candidate and (candidate.sender_id == tracker.sender_id or actor_of(tracker).is_agent):
                ticket = candidate
        else:
            ticket = services.tickets.latest_for(tracker.sender_id)
        if ticket is None:
            dispatcher.utter_message(response="utter_no_ticket")
        else:
            dispatcher.utter_message(
                response="utter_ticket_status",
                ticket_id=ticket.id,
                status_label=text(f"ticket_status_{TicketStatus(ticket.status).value}"),
                updated=format_local(ticket.updated_at),
            )
        return [SlotSet("ticket_id", None)]


class ActionRateTicket(NamedAction):
    NAME = "action_rate_ticket"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        services = context.services()
        ticket = services.tickets.latest_for(tracker.sender_id)
        try:
            rating = int(tracker.get_slot("rating"))
        except (TypeError, ValueError):
            rating = 0
        if ticket is None or ticket.status != TicketStatus.CLOSED or not 1 <= rating <= 5:
            dispatcher.utter_message(response="utter_no_ticket")
        else:
            services.tickets.rate(ticket.id, rating, services.now())
            dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet("rating", None)]
