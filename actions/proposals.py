"""Operations proposed in the chat and performed on the user's "Oui": resends, resets, unlocks, ADML requests.

An operation is proposed first (a question with Oui/Non buttons, or a diagnosis's offer) by setting the
slot `proposed_operation` to a `Proposal`; the user's "Oui" (`action_affirm`) performs it through
`PERFORM`, the table from each proposal to the code that carries it out. The outcome is told in plain
words; a provisional password is sent once, marked sensitive so that no store keeps it and Telegram
deletes the message after a while.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import (
    Events,
    NamedAction,
    actor_of,
    channel_of,
    clean_login,
    entity,
    format_local,
    human_button,
    intent_button,
    known_tenant,
    refuse,
    set_this_turn,
)
from bot.core.accounts import AccountState
from bot.core.authz import Actor, Decision, Permission, authorise, may_administer
from bot.core.diagnosis import DiagnosisCode
from bot.services.operations import RATE_LIMITED, REFUSED, LookupLimited, OperationResult

SENSITIVE = {"sensitive": True}
FOR_SUPPORT = ("own_account", "adml_account")  # refusals that send an ADML to support


class Proposal(enum.StrEnum):
    """What a "Oui" right after the proposal performs (the value of the slot `proposed_operation`)."""

    RESEND_VALIDATION_LINK = "resend_validation_link"
    RESEND_ACTIVATION_MAIL = "resend_activation_mail"
    RESET_PASSWORD = "reset_password"
    UNLOCK_ACCOUNT = "unlock_account"
    NOTIFY_ADML = "notify_adml"
    CREATE_TICKET = "create_ticket"


def propose(proposal: Proposal | None, target: str | None) -> Events:
    """The slots that make `proposal` on `target` the one a "Oui" performs (None: nothing is proposed)."""
    return [
        SlotSet("proposed_operation", proposal.value if proposal else None),
        SlotSet("operation_target", target),
    ]


def nothing_proposed() -> Events:
    return [SlotSet("proposed_operation", None)]


def sees_account(actor: Actor, login: str) -> bool:
    """What this chat may see of the account: one decision in core (a stranger is never looked up for it)."""
    return actor.is_agent or (
        actor.linked_account is not None
        and authorise(actor, Permission.VIEW_ACCOUNT, context.services().directory.find_account(login)).allowed
    )


def _tell_sent(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    result: OperationResult,
    actor: Actor,
    login: str,
    activation_mail: bool = False,
) -> None:
    """The same words whether the identifier exists or not, unless the chat may see the account."""
    facts = context.services().tenant_facts(known_tenant(tracker))
    sees = sees_account(actor, login)
    if result.status == RATE_LIMITED and (sees or result.reason != "cooldown"):
        dispatcher.utter_message(response="utter_rate_limited")
        return
    if result.status == REFUSED and sees:
        refuse(dispatcher, result.reason)
        return
    if result.done and sees and result.masked_address:
        response = "utter_activation_mail_sent_to" if activation_mail else "utter_resend_sent_to"
        dispatcher.utter_message(response=response, address=result.masked_address, **facts)
    else:  # the same words whether the account exists or not, and whatever was sent
        dispatcher.utter_message(response="utter_resend_sent", **facts)
    if result.done and not result.mail_sent_now and sees:
        dispatcher.utter_message(response="utter_mail_queued")


def resend(dispatcher: CollectingDispatcher, tracker: Tracker, login: str | None) -> Events:
    """`resend_activation`: the activation mail for an account never activated, else the validation link."""
    if not login:
        dispatcher.utter_message(response="utter_ask_username")
        return []
    account = context.services().directory.find_account(login)
    never_activated = account is not None and account.state in (AccountState.PROVISIONAL, AccountState.RESET)
    proposal = Proposal.RESEND_ACTIVATION_MAIL if never_activated else Proposal.RESEND_VALIDATION_LINK
    return [*PERFORM[proposal](dispatcher, tracker, actor_of(tracker), login), SlotSet("problem", None)]


class ActionResend(NamedAction):
    NAME = "action_resend"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        return resend(dispatcher, tracker, clean_login(tracker.get_slot("username")))


def _may_act_on(dispatcher: CollectingDispatcher, actor: Actor, permission: Permission, target: str) -> bool:
    """Whether `actor` may apply `permission` to the account `target`; says why not when not.

    Who may administer at all is checked before the (rate-limited) look-up, so that a chat that may not act
    gets the same answer whether the account exists or not; an ADML reads the same refusal for an unknown
    login as for another school's account, whatever its state.
    """
    decision = may_administer(actor)
    if decision.allowed:
        try:
            account = context.operations().lookup(actor, target)
        except LookupLimited:
            dispatcher.utter_message(response="utter_lookup_limited")
            return False
        if account is None and not actor.is_agent:
            decision = Decision(False, "other_school")
        else:
            decision = authorise(actor, permission, account)
    if decision.reason in FOR_SUPPORT:
        dispatcher.utter_message(response="utter_adml_account_to_support")
    elif not decision.allowed:
        refuse(dispatcher, decision.reason)
    return decision.allowed


class ActionRequestReset(NamedAction):
    """An ADML or agent asks to reset an account; a user asks for their own reset (sent to their ADMLs)."""

    NAME = "action_request_reset"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        actor = actor_of(tracker)
        target = clean_login(entity(tracker, "username") or set_this_turn(tracker, "username"))
        own = actor.linked_account.login if actor.linked_account else None
        if target and target != own and may_administer(actor).allowed:
            if not _may_act_on(dispatcher, actor, Permission.RESET_PASSWORD, target):
                return nothing_proposed()
            dispatcher.utter_message(response="utter_confirm_reset", target=target)
            return propose(Proposal.RESET_PASSWORD, target)
        response = _own_reset_refusal(actor, own, target)
        if response is not None:
            dispatcher.utter_message(response=response)
            return nothing_proposed()
        dispatcher.utter_message(response="utter_confirm_notify_adml", target=own)
        return propose(Proposal.NOTIFY_ADML, own)


def _own_reset_refusal(actor: Actor, own: str | None, target: str | None) -> str | None:
    """Why a chat that does not administer `target` cannot ask for its reset (a response), or None."""
    if own is None:
        return "utter_reset_needs_verified_account"
    if target and target != own:  # another person's login, from someone who may not administer it
        return "utter_reset_own_account_only"
    if actor.linked_account is not None and actor.linked_account.adml_of:  # an ADML's own account
        return "utter_adml_account_to_support"
    return None


class ActionUnlock(NamedAction):
    NAME = "action_unlock"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        actor = actor_of(tracker)
        # the account named, else ("débloquez-le") the one the conversation is about; confirmed by name either way
        target = clean_login(entity(tracker, "username")) or clean_login(tracker.get_slot("username"))
        if not target:
            dispatcher.utter_message(response="utter_ask_unlock_target")
            return []
        if not _may_act_on(dispatcher, actor, Permission.UNLOCK_ACCOUNT, target):
            return nothing_proposed()
        services = context.services()
        account = services.directory.find_account(target)  # allowed: the administrator sees the account's lock
        if account is not None and account.locked_until is not None and account.locked_until > services.now():
            until = format_local(account.locked_until)
            dispatcher.utter_message(response="utter_confirm_unlock_locked", target=target, until=until)
            return [SlotSet("diagnosis", DiagnosisCode.ACCOUNT_LOCKED.value), *propose(Proposal.UNLOCK_ACCOUNT, target)]
        if account is not None:  # nothing to unlock: said now, not after a confirmation
            refuse(dispatcher, "not_locked")
            return nothing_proposed()
        dispatcher.utter_message(response="utter_confirm_unlock", target=target)
        return propose(Proposal.UNLOCK_ACCOUNT, target)


def show_provisional_password(dispatcher: CollectingDispatcher, login: str, password: str) -> None:
    dispatcher.utter_message(
        response="utter_provisional_password", target=login, password=password, json_message=SENSITIVE
    )


# -- what a "Oui" performs --------------------------------------------------------------------------------

Performer = Callable[[CollectingDispatcher, Tracker, Actor, str], Events]


def _open_ticket(dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, target: str) -> Events:
    return [*nothing_proposed(), FollowupAction("action_create_ticket")]


def _resend(
    proposal: Proposal, dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, target: str
) -> Events:
    """The resend `proposal` names (bound to it in `PERFORM`)."""
    operations = context.operations()
    activation_mail = proposal is Proposal.RESEND_ACTIVATION_MAIL
    send = operations.resend_activation_mail if activation_mail else operations.resend_validation_link
    result = send(actor, channel_of(tracker), target)
    _tell_sent(dispatcher, tracker, result, actor, target, activation_mail=activation_mail)
    return nothing_proposed()


def _notify_adml(dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, target: str) -> Events:
    result = context.operations().notify_adml(actor, channel_of(tracker), target)
    if result.done:
        dispatcher.utter_message(response="utter_reset_request_sent", reference=result.reference)
    elif result.reason in ("not_linked", "not_your_account"):
        refuse(dispatcher, result.reason, [intent_button("link_account")])
    elif result.status == RATE_LIMITED:
        dispatcher.utter_message(response="utter_rate_limited")
    else:
        refuse(dispatcher, result.reason, [human_button()])
    return nothing_proposed()


def _reset_password(dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, target: str) -> Events:
    result = context.operations().reset_password(actor, channel_of(tracker), target)
    if result.done and result.provisional_password:
        show_provisional_password(dispatcher, target, result.provisional_password)
    elif result.status == RATE_LIMITED:
        dispatcher.utter_message(response="utter_rate_limited")
    else:
        refuse(dispatcher, result.reason)
    return nothing_proposed()


def _unlock_account(dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, target: str) -> Events:
    result = context.operations().unlock_account(actor, channel_of(tracker), target)
    if result.done:
        dispatcher.utter_message(response="utter_unlocked", target=target)
    elif result.status == RATE_LIMITED:
        dispatcher.utter_message(response="utter_rate_limited")
    else:
        refuse(dispatcher, result.reason)
    return nothing_proposed()


PERFORM: dict[Proposal, Performer] = {
    Proposal.CREATE_TICKET: _open_ticket,
    Proposal.RESEND_VALIDATION_LINK: partial(_resend, Proposal.RESEND_VALIDATION_LINK),
    Proposal.RESEND_ACTIVATION_MAIL: partial(_resend, Proposal.RESEND_ACTIVATION_MAIL),
    Proposal.NOTIFY_ADML: _notify_adml,
    Proposal.RESET_PASSWORD: _reset_password,
    Proposal.UNLOCK_ACCOUNT: _unlock_account,
}
"""Each proposal and the code that performs it on the user's "Oui"."""


def proposal_of(value: Any) -> Proposal | None:
    """The proposal a slot value names, or None (nothing proposed, or a value no code performs)."""
    try:
        return Proposal(value) if value else None
    except ValueError:
        return None


class ActionAffirm(NamedAction):
    """ "Oui": performs the operation proposed in the previous turn, if any."""

    NAME = "action_affirm"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        proposed = tracker.get_slot("proposed_operation")
        if not proposed and tracker.get_slot("second_intent"):
            return [FollowupAction("action_offer_second_intent")]
        proposal = proposal_of(proposed)
        if proposal is None:
            dispatcher.utter_message(response="utter_ok")
            return nothing_proposed()
        return PERFORM[proposal](dispatcher, tracker, actor_of(tracker), tracker.get_slot("operation_target"))


class ActionDeny(NamedAction):
    NAME = "action_deny"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        dispatcher.utter_message(response="utter_ok")
        return [SlotSet("proposed_operation", None), SlotSet("operation_target", None), SlotSet("second_intent", None)]
