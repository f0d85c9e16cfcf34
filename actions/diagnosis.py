"""Finding out why someone cannot log in: identifier first, then one look at the directory."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, Named, NamedAction, actor_of, clean_login, entity, format_local, known_tenant
from actions.proposals import Proposal, proposal_of, propose, resend
from bot.core.accounts import Account
from bot.core.authz import Permission, authorise
from bot.core.diagnosis import Diagnosis, DiagnosisCode
from bot.core.identifiers import is_strict_login
from bot.directory.port import DirectoryError
from bot.services.diagnosis import AccountCheck, check_account
from bot.services.notices import note_not_activated
from bot.services.operations import LookupLimited

# the operation a diagnosis proposes, performed on the user's "Oui" (`actions.proposals.PERFORM`); any other
# diagnosis proposes the operation the core offers, if any
PROPOSALS: dict[DiagnosisCode, Proposal] = {
    DiagnosisCode.LINK_EXPIRED: Proposal.RESEND_VALIDATION_LINK,
    DiagnosisCode.VALIDATION_PENDING: Proposal.RESEND_VALIDATION_LINK,
    DiagnosisCode.ACCOUNT_LOCKED: Proposal.NOTIFY_ADML,
    DiagnosisCode.ACCOUNT_DISABLED: Proposal.CREATE_TICKET,
}


class ActionStartDiagnosis(NamedAction):
    """Notes what the user reported and pre-fills the identifier when the chat is linked."""

    NAME = "action_start_diagnosis"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: list[dict[str, Any]] = [
            SlotSet("problem", intent),
            SlotSet("diagnosis", None),
            SlotSet("proposed_operation", None),
            SlotSet("username_attempts", 0),
        ]
        if entity(tracker, "email") is not None:
            dispatcher.utter_message(response="utter_typed_address_refused")
        mentioned = entity(tracker, "username")
        if mentioned:
            events.append(SlotSet("username", mentioned))
        elif not tracker.get_slot("username") or tracker.get_slot("diagnosis") in (None, "account_unknown"):
            # an identifier already diagnosed as an existing account stays; otherwise the linked one, or ask
            linked = context.services().links.linked_login(tracker.sender_id)
            events.append(SlotSet("username", linked))
        return events


def _count_miss(dispatcher: CollectingDispatcher, tracker: Tracker) -> int | None:
    """One more answer that is no identifier: says what one looks like and returns the misses so far, or says
    that a person can help and returns None on the second (the question is then dropped)."""
    attempts = int(tracker.get_slot("username_attempts") or 0) + 1
    if attempts >= 2:
        dispatcher.utter_message(response="utter_bad_username_again")
        return None
    dispatcher.utter_message(response="utter_bad_username")
    return attempts


class ValidateDiagnosisForm(Named, FormValidationAction):
    """The identifier asked for the diagnosis: kept in the tenant's format, else asked again once."""

    NAME = "validate_diagnosis_form"

    def validate_username(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        login = clean_login(slot_value)
        if login:
            return {"username": login}
        attempts = _count_miss(dispatcher, tracker)
        if attempts is None:
            return {"username": None, "username_attempts": 0, "requested_slot": None}
        return {"username": None, "username_attempts": attempts}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        if any(
            e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") is None for e in events
        ):
            events.append(ActiveLoop(None))
        return events


class ActionRejectValue(NamedAction):
    """Not the value asked for: say what an identifier looks like (never quoting the message); a human on the
    second miss."""

    NAME = "action_reject_value"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        attempts = _count_miss(dispatcher, tracker)
        if attempts is None:
            return [SlotSet("username_attempts", 0), ActiveLoop(None), SlotSet("requested_slot", None)]
        return [SlotSet("username_attempts", attempts)]


class ActionDiagnose(NamedAction):
    NAME = "action_diagnose"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        login = tracker.get_slot("username")
        actor = actor_of(tracker)
        try:
            account = context.operations().lookup(actor, login)
        except LookupLimited:
            dispatcher.utter_message(response="utter_lookup_limited")
            return []
        except DirectoryError:
            dispatcher.utter_message(response="utter_directory_down")
            return [SlotSet("diagnosis", DiagnosisCode.NEEDS_HUMAN.value)]
        check = check_account(
            context.services(), account, reported=tracker.get_slot("problem"), tenant_hint=known_tenant(tracker)
        )
        sees = account is not None and authorise(actor, Permission.VIEW_ACCOUNT, account).allowed
        if account is not None and check.diagnosis.code is DiagnosisCode.NOT_ACTIVATED:
            note_not_activated(context.services(), actor, account)  # the chat's own: reminded later if it opted in
        standing = [
            SlotSet("diagnosis", check.diagnosis.code.value),
            SlotSet("tenant", check.tenant),
            SlotSet("sees_account", sees),
        ]
        if account is not None and account.uai:
            standing.append(SlotSet("school_uai", account.uai))
        typed_address = entity(tracker, "email") is not None
        if tracker.get_slot("problem") == "resend_activation" and not typed_address:
            # asked in so many words: resend at once (the same words whether the account exists or not)
            return standing + resend(dispatcher, tracker, login)
        if typed_address:  # "renvoyez-le sur x@y.fr": never to a typed address; the diagnosis says what is possible
            dispatcher.utter_message(response="utter_typed_address_refused")
        return standing + _tell_diagnosis(dispatcher, check, login, account, sees)


def _tell_diagnosis(
    dispatcher: CollectingDispatcher, check: AccountCheck, login: str | None, account: Account | None, sees: bool
) -> Events:
    """The diagnosis in words, and the operation it proposes."""
    result, freeze = check.diagnosis, check.freeze
    values: dict[str, Any] = {"username": login, **context.services().tenant_facts(check.tenant)}
    if result.until is not None:
        values["until"] = format_local(freeze.until if result.code is DiagnosisCode.VACATION_FREEZE else result.until)
    events: Events = []
    if result.code is DiagnosisCode.VACATION_FREEZE:
        events.append(SlotSet("topic", "vacation_freeze"))
    if account is None and login and not is_strict_login(login):
        # a word in a looser tenant format that is no account may be a password: not repeated, not kept
        events += [SlotSet("username", None), SlotSet("conceal_message", True)]
    response = f"utter_diagnosis_{result.code.value}"
    if result.code is DiagnosisCode.ACCOUNT_OK and result.offered_operation == Proposal.RESEND_VALIDATION_LINK:
        response = "utter_diagnosis_account_ok_unvalidated"
    dispatcher.utter_message(response=response, **values)
    proposal = _proposal(dispatcher, result, sees)
    if result.possible_short_freeze and freeze.school_holiday:
        dispatcher.utter_message(response="utter_possible_short_freeze", holiday=freeze.school_holiday)
    return events + propose(proposal, account.login if account else None)


def _proposal(dispatcher: CollectingDispatcher, result: Diagnosis, sees: bool) -> Proposal | None:
    """What the diagnosis proposes; a never-activated account's mail is offered in words here."""
    if result.code is DiagnosisCode.NOT_ACTIVATED:
        if result.offered_operation == Proposal.RESEND_ACTIVATION_MAIL or not sees:
            # to a chat that may not see the account the offer is made whether an address is on file or not:
            # offering it only when one is would tell a stranger that the account has an address
            dispatcher.utter_message(response="utter_offer_activation_mail")
            return Proposal.RESEND_ACTIVATION_MAIL
        return None
    return PROPOSALS.get(result.code) or proposal_of(result.offered_operation)
