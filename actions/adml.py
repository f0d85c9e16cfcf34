"""What an ADML (or an agent) does for a school: decide users' reset requests, list the accounts to activate."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, actor_of, channel_of, entity, refuse
from actions.proposals import FOR_SUPPORT, show_provisional_password
from bot.core.authz import Actor, Permission, authorise
from bot.services.operations import DONE
from bot.services.unactivated import (
    CSV_HEADER,
    csv_file_name,
    csv_row,
    issued_on,
    pending_accounts,
    state_label,
)
from bot.texts import text

UAI = re.compile(r"^\d{7}[A-Z]$")


class ActionDecideReset(NamedAction):
    """An ADML's Accepter / Refuser on a user's reset request."""

    NAME = "action_decide_reset"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        raw = entity(tracker, "request_id") or tracker.get_slot("request_id")
        try:
            request_id = int(raw)
        except (TypeError, ValueError):
            dispatcher.utter_message(response="utter_reset_request_unknown")
            return []
        approved = (tracker.latest_message.get("intent") or {}).get("name") == "approve_reset"
        result = context.operations().decide_reset_request(actor_of(tracker), channel_of(tracker), request_id, approved)
        request = context.services().reset_requests.get(request_id)
        if result.status == DONE and approved and result.provisional_password and request:
            show_provisional_password(dispatcher, request.login, result.provisional_password)
        elif result.status == DONE:
            dispatcher.utter_message(response="utter_reset_request_denied", request_id=request_id)
        elif result.reason and result.reason.startswith("already_"):
            dispatcher.utter_message(response="utter_reset_request_already_decided", request_id=request_id)
        elif result.reason in FOR_SUPPORT:
            dispatcher.utter_message(response="utter_adml_account_to_support")
        else:
            refuse(dispatcher, result.reason)
        return [SlotSet("request_id", None)]


class ActionListUnactivated(NamedAction):
    """The accounts still to activate of a school: an ADML's own schools (or one of them, named), or the
    school an agent names (`/nonactives 0750001A`)."""

    NAME = "action_list_unactivated"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        actor = actor_of(tracker)
        named = entity(tracker, "uai")
        uai = str(named).strip().upper() if named else None
        schools = _agent_schools(dispatcher, uai) if actor.is_agent else _adml_schools(dispatcher, actor, uai)
        if schools is None:
            return []
        lines: list[str] = []
        rows = [CSV_HEADER]
        listed: list[str] = []
        for school in schools:
            if authorise(actor, Permission.LIST_UNACTIVATED, None, school_uai=school).allowed:
                listed += _list_school(school, lines, rows)
        name = csv_file_name(schools)
        document = {"filename": name, "content": "\n".join(rows) + "\n"}
        if lines:
            dispatcher.utter_message(text="\n".join(lines), json_message={"document": document})
        else:
            dispatcher.utter_message(response="utter_no_unactivated", json_message={"document": document})
        return [SlotSet("listed_logins", listed)]  # "et maxime, tu peux lui réinitialiser ?" names one of them


def _agent_schools(dispatcher: CollectingDispatcher, uai: str | None) -> list[str] | None:
    """The school an agent names, or None after saying what is missing."""
    if not uai:
        dispatcher.utter_message(response="utter_ask_school_for_list")
        return None
    if not UAI.match(uai) or context.services().directory.find_establishment(uai) is None:
        dispatcher.utter_message(response="utter_unknown_school")
        return None
    return [uai]


def _adml_schools(dispatcher: CollectingDispatcher, actor: Actor, uai: str | None) -> list[str] | None:
    """An ADML's schools (the one named among them), or None after a refusal."""
    administered = list(actor.linked_account.adml_of) if actor.linked_account else []
    if not administered:
        refuse(dispatcher, "not_adml")
        return None
    if uai and uai not in administered:  # the same words for another school and for no school
        refuse(dispatcher, "other_school")
        return None
    return [uai] if uai else administered


def _list_school(school: str, lines: list[str], rows: list[str]) -> list[str]:
    """The school's accounts still to activate, as chat lines and CSV rows; their identifiers."""
    services = context.services()
    pending = pending_accounts(services.directory, school)
    lines.append(text("unactivated_school", school=school, count=len(pending)))
    for account in pending:
        issued = issued_on(services, account)
        label = state_label(account)
        if issued:
            lines.append(text("unactivated_account_issued", login=account.login, state=label, issued=issued))
        else:
            lines.append(text("unactivated_account", login=account.login, state=label))
        rows.append(csv_row(school, account, label, issued))
    return [account.login for account in pending]
