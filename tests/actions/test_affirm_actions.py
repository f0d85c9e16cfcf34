"""Proposals and the user's "Oui" / "Non", in the rasa-sdk style: unlocks, resets, requests to the ADMLs.

What the chat is told for each outcome (done, refused and why, a limit hit, a way on offered by a button), what
changed in the directory, and which proposal is left for the next "Oui".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.common import human_button, intent_button
from actions.proposals import (
    ActionAffirm,
    ActionDeny,
    ActionRequestReset,
    ActionResend,
    ActionUnlock,
    Proposal,
    propose,
)
from bot.core.accounts import AccountState
from bot.dialogue.domain import Domain
from bot.directory.port import Directory, DirectoryError
from bot.services import Services, current
from bot.texts import text
from tests.actions.rasa import ADML, OTHER_ADML, USER, Ran, run, tracker
from tests.conftest import SettableClock

NOTHING = [SlotSet("proposed_operation", None)]


@pytest.fixture
def installed(installed: Services, clock: SettableClock) -> Iterator[Services]:
    """The ADMLs' chats and lucas.martin's linked."""
    installed.links.link(USER, "lucas.martin", clock())
    yield installed


async def affirm(sender: str, proposal: str, target: str, domain: Domain) -> Ran:
    slots = {"proposed_operation": proposal, "operation_target": target}
    return await run(ActionAffirm(), tracker(sender, "affirm", slots), domain)


def refused_for(ran: Ran, reason: str) -> bool:
    return ran.responses == ["utter_refused"] and ran.messages[0]["reason_text"] == text(f"refusal_{reason}")


# -- unlocking ---------------------------------------------------------------------------------------------------
async def test_an_adml_is_asked_to_confirm_an_unlock_of_the_account_named_or_discussed(
    installed: Services, domain: Domain
) -> None:
    named = await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account", username="Emma.Leroy"), domain)
    locked = SlotSet("diagnosis", "account_locked")  # emma.leroy is locked: the confirmation says until when
    assert named.events == [locked, *propose(Proposal.UNLOCK_ACCOUNT, "emma.leroy")]
    assert named.responses == ["utter_confirm_unlock_locked"] and "emma.leroy" in named.text
    discussed = await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account", {"username": "emma.leroy"}), domain)
    assert discussed.events == named.events


@pytest.mark.parametrize(
    ("sender", "login", "reason"),
    [
        (USER, "emma.leroy", "not_adml"),
        ("web:stranger", "emma.leroy", "not_linked"),
        (ADML, "emma.leroy", "other_school"),
        (ADML, "personne.inconnue", "other_school"),  # an unknown login reads as another school's
        (ADML, "nathan.moreau", "account_disabled"),
    ],
)
async def test_an_unlock_is_refused_before_it_is_proposed(
    installed: Services, domain: Domain, sender: str, login: str, reason: str
) -> None:
    ran = await run(ActionUnlock(), tracker(sender, "unlock_account", username=login), domain)
    assert ran.events == NOTHING and refused_for(ran, reason)


async def test_an_agent_reads_that_an_unknown_account_is_unknown(installed: Services, domain: Domain) -> None:
    installed.agent_senders.add("web-desk:agent")
    ran = await run(ActionUnlock(), tracker("web-desk:agent", "unlock_account", username="personne.inconnue"), domain)
    assert ran.events == NOTHING and refused_for(ran, "unknown_account")


async def test_an_admls_own_account_is_for_support(installed: Services, domain: Domain) -> None:
    ran = await run(ActionUnlock(), tracker(ADML, "unlock_account", username="isabelle.roux"), domain)
    assert ran.events == NOTHING and ran.responses == ["utter_adml_account_to_support"]


async def test_too_many_look_ups_stop_the_proposal(installed: Services, domain: Domain) -> None:
    for n in range(installed.config.rate_limits.lookups_per_chat.count):
        await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account", username=f"eleve.numero{n}"), domain)
    ran = await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account", username="emma.leroy"), domain)
    assert ran.events == NOTHING and ran.responses == ["utter_lookup_limited"]


async def test_oui_unlocks_the_account_proposed(installed: Services, domain: Domain) -> None:
    ran = await affirm(OTHER_ADML, "unlock_account", "emma.leroy", domain)
    assert ran.events == NOTHING and ran.responses == ["utter_unlocked"] and "emma.leroy" in ran.text
    account = installed.directory.find_account("emma.leroy")
    assert account is not None and account.locked_until is None
    again = await affirm(OTHER_ADML, "unlock_account", "emma.leroy", domain)
    assert refused_for(again, "not_locked")


# -- resets and requests ----------------------------------------------------------------------------------------
async def test_oui_to_a_reset_shows_the_password_set(installed: Services, domain: Domain) -> None:
    ran = await affirm(ADML, "reset_password", "lucas.martin", domain)
    password = ran.messages[0]["password"]
    assert re.fullmatch(r"\S{12}", password) and password in ran.text and "lucas.martin" in ran.text


async def test_oui_to_a_reset_the_adml_may_not_make_says_why(installed: Services, domain: Domain) -> None:
    ran = await affirm(OTHER_ADML, "reset_password", "lucas.martin", domain)
    assert ran.events == NOTHING and refused_for(ran, "other_school")
    account = installed.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


async def test_a_request_sent_gives_its_number(installed: Services, domain: Domain) -> None:
    ran = await affirm(USER, "notify_adml", "lucas.martin", domain)
    request = installed.reset_requests.pending_for("lucas.martin")
    assert request is not None and ran.messages[0]["reference"] == request.id and f"n°{request.id}" in ran.text


@pytest.mark.parametrize(
    ("sender", "reason"),
    [("web:stranger", "not_linked"), (OTHER_ADML, "not_your_account")],
)
async def test_a_request_from_a_chat_not_linked_to_the_account_offers_to_verify_it(
    installed: Services, domain: Domain, sender: str, reason: str
) -> None:
    ran = await affirm(sender, "notify_adml", "lucas.martin", domain)
    assert ran.events == NOTHING and refused_for(ran, reason)
    assert ran.button_list == [intent_button("link_account")] and ran.payloads == ["/link_account"]


async def test_a_request_without_a_reachable_adml_offers_a_person(installed: Services, domain: Domain) -> None:
    installed.links.unlink(ADML, installed.now())
    ran = await affirm(USER, "notify_adml", "lucas.martin", domain)
    assert refused_for(ran, "no_adml_reachable") and ran.button_list == [human_button()]
    assert ran.payloads == ["/escalate_human"]


async def test_a_busy_chat_is_told_to_wait_before_a_request(installed: Services, domain: Domain) -> None:
    for login in ("chloe.bernard", "jules.faure", "manon.andre", "karim.haddad", "hugo.petit"):
        await run(ActionResend(), tracker(USER, "resend_activation", {"username": login}), domain)
    ran = await affirm(USER, "notify_adml", "lucas.martin", domain)
    assert ran.responses == ["utter_rate_limited"] and installed.reset_requests.pending_for("lucas.martin") is None


async def test_oui_to_the_owners_activation_mail_says_where_it_went(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    installed.links.link("web:sophie", "sophie.garnier", clock())
    ran = await affirm("web:sophie", "resend_activation_mail", "sophie.garnier", domain)
    assert ran.responses == ["utter_activation_mail_sent_to"] and "s***r@e***.org" in ran.text


# -- "Oui" with a second question pending, and "Non" --------------------------------------------------------------
async def test_oui_with_nothing_proposed_answers_the_second_question(installed: Services, domain: Domain) -> None:
    slots = {"second_intent": "ask_password_rules"}
    ran = await run(ActionAffirm(), tracker("web:x", "affirm", slots), domain)
    assert ran.events == [FollowupAction("action_offer_second_intent")] and ran.messages == []
    proposed = await run(
        ActionAffirm(), tracker(USER, "affirm", {**slots, "proposed_operation": "create_ticket"}), domain
    )
    assert FollowupAction("action_create_ticket") in proposed.events  # the proposal first


async def test_non_forgets_the_proposal_and_the_second_question(installed: Services, domain: Domain) -> None:
    slots = {"proposed_operation": "reset_password", "operation_target": "lucas.martin", "second_intent": "x"}
    ran = await run(ActionDeny(), tracker(ADML, "deny", slots), domain)
    assert ran.responses == ["utter_ok"]
    assert ran.events == [
        SlotSet("proposed_operation", None),
        SlotSet("operation_target", None),
        SlotSet("second_intent", None),
    ]


def test_a_diagnosis_that_offers_nothing_proposes_nothing() -> None:
    assert propose(None, "lucas.martin") == [
        SlotSet("proposed_operation", None),
        SlotSet("operation_target", "lucas.martin"),
    ]


async def test_a_user_confirms_the_request_for_their_own_account(installed: Services, domain: Domain) -> None:
    ran = await run(ActionRequestReset(), tracker(USER, "request_reset"), domain)
    assert ran.responses == ["utter_confirm_notify_adml"] and ran.messages[0]["target"] == "lucas.martin"


async def test_an_adml_past_the_limit_is_told_to_wait_not_that_the_directory_is_down(
    installed: Services, domain: Domain
) -> None:
    for login in ("marie.dupont", "chloe.bernard", "sophie.garnier", "nadia.benali", "marie.dupont"):
        await affirm(ADML, "reset_password", login, domain)
    reset = await affirm(ADML, "reset_password", "lucas.martin", domain)
    assert reset.events == NOTHING and reset.responses == ["utter_rate_limited"]
    unlock = await affirm(ADML, "unlock_account", "lucas.martin", domain)
    assert unlock.responses == ["utter_rate_limited"]
    account = installed.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


async def test_a_reset_the_directory_refuses_says_so(installed: Services, domain: Domain) -> None:
    class DownDirectory:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def set_provisional_password(self, login: str, password: str, now: Any) -> None:
            raise DirectoryError("ldap://annuaire: timeout")

    current.install(dataclasses.replace(installed, directory=cast(Directory, DownDirectory(installed.directory))))
    ran = await affirm(ADML, "reset_password", "lucas.martin", domain)
    assert refused_for(ran, "directory_down") and "password" not in ran.messages[0]
