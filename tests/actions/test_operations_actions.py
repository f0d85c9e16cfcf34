"""The operation actions in the rasa-sdk style: a tracker from a dict, a collecting dispatcher, `await run`.

No classifier and no dialogue engine: each test states the tracker an action receives (sender, slots, the
latest message's intent and entities) and checks the events it returns and what it says. What it says is
read through the domain, so a reply moved from Python to `knowledge/domain.yml` reads the same.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.adml import ActionDecideReset, ActionListUnactivated
from actions.proposals import ActionAffirm, ActionDeny, ActionRequestReset, ActionUnlock
from bot.core.accounts import AccountState
from bot.dialogue.domain import Domain
from bot.services import Services
from tests.actions.rasa import ADML, OTHER_ADML, USER, run, tracker
from tests.conftest import SettableClock


# -- proposing -----------------------------------------------------------------------------------------
async def test_an_adml_is_asked_to_confirm_a_reset_of_their_school(installed: Services, domain: Domain) -> None:
    ran = await run(ActionRequestReset(), tracker(ADML, "request_reset", username="Lucas.Martin"), domain)
    assert ran.events == [SlotSet("proposed_operation", "reset_password"), SlotSet("operation_target", "lucas.martin")]
    assert "Confirmez-vous la réinitialisation du mot de passe de lucas.martin" in ran.text
    assert ran.buttons == ["Confirmer la réinitialisation", "Annuler"]


async def test_an_adml_of_another_school_is_refused_and_nothing_is_proposed(
    installed: Services, domain: Domain
) -> None:
    known = await run(ActionRequestReset(), tracker(OTHER_ADML, "request_reset", username="lucas.martin"), domain)
    unknown = await run(ActionRequestReset(), tracker(OTHER_ADML, "request_reset", username="nobody.here"), domain)
    assert known.events == unknown.events == [SlotSet("proposed_operation", None)]
    assert known.text == unknown.text and "n'appartient pas à votre établissement" in known.text


async def test_an_adml_asking_for_their_own_reset_is_sent_to_support(installed: Services, domain: Domain) -> None:
    ran = await run(ActionRequestReset(), tracker(ADML, "request_reset", username="isabelle.roux"), domain)
    assert ran.slot("proposed_operation") is None
    assert [m.get("response") for m in ran.messages] == ["utter_adml_account_to_support"]


async def test_an_unlinked_chat_is_asked_to_prove_ownership_whatever_the_login(
    installed: Services, domain: Domain
) -> None:
    answers = set()
    for login in ("lucas.martin", "nobody.here", None):
        entities: dict[str, Any] = {"username": login} if login else {}
        ran = await run(ActionRequestReset(), tracker("web:stranger", "request_reset", **entities), domain)
        assert ran.events == [SlotSet("proposed_operation", None)]
        answers.add((ran.text, tuple(ran.buttons)))
    ((text, buttons),) = answers  # the same answer: the chat learns nothing about the account
    assert "vérifier que le compte est le vôtre" in text and buttons == (
        "Vérifier mon compte",
        "Parler à un conseiller",
    )


async def test_a_linked_user_may_only_send_their_own_request(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    installed.links.link(USER, "lucas.martin", clock())
    own = await run(ActionRequestReset(), tracker(USER, "request_reset"), domain)
    assert own.events == [SlotSet("proposed_operation", "notify_adml"), SlotSet("operation_target", "lucas.martin")]
    assert own.buttons == ["Oui, transmettre", "Annuler"]
    other = await run(ActionRequestReset(), tracker(USER, "request_reset", username="chloe.bernard"), domain)
    assert other.events == [SlotSet("proposed_operation", None)]
    assert [m.get("response") for m in other.messages] == ["utter_reset_own_account_only"]


async def test_an_unlock_needs_an_identifier(installed: Services, domain: Domain) -> None:
    ran = await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account"), domain)
    assert ran.events == [] and "/debloquer" in ran.text


async def test_an_unlock_says_until_when_the_account_is_locked_or_that_it_is_not(
    installed: Services, domain: Domain
) -> None:
    locked = await run(ActionUnlock(), tracker(OTHER_ADML, "unlock_account", username="emma.leroy"), domain)
    assert "bloqué jusqu'au 31/12/2026 à 23h00. Confirmez-vous le déblocage du compte emma.leroy" in locked.text
    assert locked.slot("diagnosis") == "account_locked" and locked.slot("proposed_operation") == "unlock_account"
    not_locked = await run(ActionUnlock(), tracker(ADML, "unlock_account", username="lucas.martin"), domain)
    assert "ce compte n'est pas bloqué" in not_locked.text  # said at once: nothing to confirm
    assert not_locked.events == [SlotSet("proposed_operation", None)]


async def test_the_adml_list_remembers_whom_it_showed(installed: Services, domain: Domain) -> None:
    ran = await run(ActionListUnactivated(), tracker(ADML, "list_unactivated"), domain)
    listed = ran.slot("listed_logins")
    assert "sophie.garnier" in listed and all(login in ran.text for login in listed)
    assert "emma.leroy" not in listed  # another school's


async def test_a_reset_for_the_account_the_understanding_named_this_turn(installed: Services, domain: Domain) -> None:
    named = tracker(ADML, "request_reset")
    named.events.append({"event": "slot", "name": "username", "value": "lucas.martin"})
    ran = await run(ActionRequestReset(), named, domain)
    assert ran.slot("operation_target") == "lucas.martin"
    earlier = tracker(ADML, "request_reset", {"username": "lucas.martin"})  # named in an earlier turn: not this one
    earlier.events.insert(0, {"event": "slot", "name": "username", "value": "lucas.martin"})
    assert (await run(ActionRequestReset(), earlier, domain)).slot("proposed_operation") is None


# -- performing on "Oui" ----------------------------------------------------------------------------------
async def test_oui_performs_the_proposed_reset_once_and_marks_the_password_sensitive(
    installed: Services, domain: Domain
) -> None:
    slots = {"proposed_operation": "reset_password", "operation_target": "lucas.martin"}
    ran = await run(ActionAffirm(), tracker(ADML, "affirm", slots), domain)
    assert ran.events == [SlotSet("proposed_operation", None)]
    (shown,) = ran.messages
    assert "Mot de passe provisoire :" in ran.text and shown["custom"] == {"sensitive": True}
    account = installed.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.RESET


async def test_oui_with_nothing_proposed_changes_nothing(installed: Services, domain: Domain) -> None:
    ran = await run(ActionAffirm(), tracker(ADML, "affirm", {"operation_target": "lucas.martin"}), domain)
    assert ran.events == [SlotSet("proposed_operation", None)]
    assert [m.get("response") for m in ran.messages] == ["utter_ok"]
    account = installed.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


async def test_non_forgets_the_proposal(installed: Services, domain: Domain) -> None:
    slots = {"proposed_operation": "reset_password", "operation_target": "lucas.martin"}
    ran = await run(ActionDeny(), tracker(ADML, "deny", slots), domain)
    assert ran.slot("proposed_operation") is None and ran.slot("operation_target") is None
    account = installed.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


async def test_a_second_request_for_the_same_account_is_refused(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    installed.links.link(USER, "lucas.martin", clock())
    slots = {"proposed_operation": "notify_adml", "operation_target": "lucas.martin"}
    first = await run(ActionAffirm(), tracker(USER, "affirm", slots), domain)
    assert "est transmise à l'administrateur ENT" in first.text
    again = await run(ActionAffirm(), tracker(USER, "affirm", slots), domain)
    assert "une demande est déjà en attente pour ce compte" in again.text
    assert again.buttons == ["Parler à un conseiller"]


# -- the ADML's decision ----------------------------------------------------------------------------------
async def test_accepter_shows_the_password_once_and_refuser_tells_the_user(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    first = installed.reset_requests.create("lucas.martin", "0750001A", USER, clock())
    second = installed.reset_requests.create("chloe.bernard", "0750001A", "web:chloe", clock())
    accepted = await run(ActionDecideReset(), tracker(ADML, "approve_reset", request_id=first.id), domain)
    assert accepted.events == [SlotSet("request_id", None)]
    assert accepted.messages[0]["custom"] == {"sensitive": True} and "lucas.martin" in accepted.text
    denied = await run(ActionDecideReset(), tracker(ADML, "deny_reset", request_id=second.id), domain)
    assert f"La demande n°{second.id} est refusée" in denied.text
    replay = await run(ActionDecideReset(), tracker(ADML, "approve_reset", request_id=second.id), domain)
    assert f"La demande n°{second.id} a déjà été traitée" in replay.text
    chloe = installed.directory.find_account("chloe.bernard")
    assert chloe is not None and chloe.state is AccountState.ACTIVE


async def test_a_decision_without_a_request_number(installed: Services, domain: Domain) -> None:
    ran = await run(ActionDecideReset(), tracker(ADML, "approve_reset", request_id="abc"), domain)
    assert ran.events == [] and "Je ne trouve pas cette demande" in ran.text
