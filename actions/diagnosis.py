"""Finding out why someone cannot log in: identifier first, then one look at the directory."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import actor_of, clean_login, format_local, known_tenant
from bot.core.authz import Permission, authorise
from bot.core.diagnosis import DiagnosisCode, diagnose
from bot.core.freeze import FreezeStatus
from bot.core.identifiers import is_strict_login
from bot.directory.port import DirectoryError
from bot.operations import LookupLimited

# the operation a diagnosis proposes, confirmed by the user's "Oui"
_PROPOSALS: dict[str, tuple[str, str | None]] = {
    DiagnosisCode.LINK_EXPIRED.value: ("resend_validation_link", None),
    DiagnosisCode.VALIDATION_PENDING.value: ("resend_validation_link", None),
    DiagnosisCode.ACCOUNT_LOCKED.value: ("notify_adml", None),
    DiagnosisCode.ACCOUNT_DISABLED.value: ("create_ticket", None),
}


class ActionStartDiagnosis(Action):
    """Notes what the user reported and pre-fills the identifier when the chat is linked."""

    def name(self) -> str:
        return "action_start_diagnosis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: list[dict[str, Any]] = [
            SlotSet("problem", intent),
            SlotSet("diagnosis", None),
            SlotSet("proposed_operation", None),
            SlotSet("username_attempts", 0),
        ]
        if any(e.get("entity") == "email" for e in tracker.latest_message.get("entities") or []):
            dispatcher.utter_message(response="utter_typed_address_refused")
        mentioned = next(
            (e["value"] for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "username"), None
        )
        if mentioned:
            events.append(SlotSet("username", mentioned))
        elif not tracker.get_slot("username") or tracker.get_slot("diagnosis") in (None, "account_unknown"):
            # an identifier already diagnosed as an existing account stays; otherwise the linked one, or ask
            linked = services.get().links.linked_login(tracker.sender_id)
            events.append(SlotSet("username", linked))
        return events


class ValidateDiagnosisForm(FormValidationAction):
    def name(self) -> str:
        return "validate_diagnosis_form"

    def validate_username(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        login = clean_login(slot_value)
        if login:
            return {"username": login}
        attempts = int(tracker.get_slot("username_attempts") or 0) + 1
        if attempts >= 2:
            dispatcher.utter_message(response="utter_bad_username_again")
            return {"username": None, "username_attempts": 0, "requested_slot": None}
        dispatcher.utter_message(response="utter_bad_username")
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


def _not_frozen() -> FreezeStatus:
    return FreezeStatus(frozen=False, until=None, reason=None, school_holiday=None)


class ActionRejectValue(Action):
    """Not the value asked for: say what an identifier looks like (never quoting the message); a human on the second miss."""

    def name(self) -> str:
        return "action_reject_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        attempts = int(tracker.get_slot("username_attempts") or 0) + 1
        if attempts >= 2:
            dispatcher.utter_message(response="utter_bad_username_again")
            return [SlotSet("username_attempts", 0), ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_bad_username")
        return [SlotSet("username_attempts", attempts)]


class ActionDiagnose(Action):
    def name(self) -> str:
        return "action_diagnose"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        login = tracker.get_slot("username")
        actor = actor_of(tracker)
        try:
            account = services.operations().lookup(actor, login)
        except LookupLimited:
            dispatcher.utter_message(response="utter_lookup_limited")
            return []
        except DirectoryError:
            dispatcher.utter_message(response="utter_directory_down")
            return [SlotSet("diagnosis", DiagnosisCode.NEEDS_HUMAN.value)]
        tenant = known_tenant(tracker, account)
        if account is not None and s.tenant_of(account):
            tenant = s.tenant_of(account)
        now = s.now()
        if tenant:
            rules = s.tenant_rules(tenant)
            freeze = s.freeze(tenant)
        else:
            from bot.core.diagnosis import TenantRules

            rules = TenantRules(validation_link_hours=48, freeze_windows=(), zone="C")
            freeze = _not_frozen()
        result = diagnose(account, now, rules, freeze, reported=tracker.get_slot("problem"))
        sees = account is not None and authorise(actor, Permission.VIEW_ACCOUNT, account).allowed
        typed_address = any(e.get("entity") == "email" for e in tracker.latest_message.get("entities") or [])
        if tracker.get_slot("problem") == "resend_activation" and not typed_address:
            # asked in so many words: resend at once (the same words whether the account exists or not)
            from actions.operations import resend

            standing = [
                SlotSet("diagnosis", result.code.value),
                SlotSet("tenant", tenant),
                SlotSet("sees_account", sees),
            ]
            return standing + resend(dispatcher, tracker, login)
        if typed_address:  # "renvoyez-le sur x@y.fr": never to a typed address; the diagnosis says what is possible
            dispatcher.utter_message(response="utter_typed_address_refused")
        values: dict[str, Any] = {"username": login, **s.tenant_facts(tenant)}
        if result.until is not None:
            values["until"] = format_local(
                freeze.until if result.code is DiagnosisCode.VACATION_FREEZE else result.until
            )
        events: list[dict[str, Any]] = [
            SlotSet("diagnosis", result.code.value),
            SlotSet("tenant", tenant),
            SlotSet("sees_account", sees),
        ]
        if result.code is DiagnosisCode.VACATION_FREEZE:
            events.append(SlotSet("topic", "vacation_freeze"))
        if account is None and login and not is_strict_login(login):
            # a word in a looser tenant format that is no account may be a password: not repeated, not kept
            events += [SlotSet("username", None), SlotSet("conceal_message", True)]
        response = f"utter_diagnosis_{result.code.value}"
        if result.code is DiagnosisCode.ACCOUNT_OK and result.offered_operation == "resend_validation_link":
            response = "utter_diagnosis_account_ok_unvalidated"
        dispatcher.utter_message(response=response, **values)
        proposal = _PROPOSALS.get(result.code.value, (result.offered_operation, None))[0]
        if result.code is DiagnosisCode.NOT_ACTIVATED and (
            result.offered_operation == "resend_activation_mail" or not sees
        ):
            # to a chat that may not see the account the offer is made whether an address is on file or not:
            # offering it only when one is would tell a stranger that the account has an address
            dispatcher.utter_message(response="utter_offer_activation_mail")
            proposal = "resend_activation_mail"
        elif result.code is DiagnosisCode.NOT_ACTIVATED:
            proposal = None
        if result.possible_short_freeze and freeze.school_holiday:
            dispatcher.utter_message(response="utter_possible_short_freeze", holiday=freeze.school_holiday)
        events += [
            SlotSet("proposed_operation", proposal),
            SlotSet("operation_target", account.login if account else None),
        ]
        return events
