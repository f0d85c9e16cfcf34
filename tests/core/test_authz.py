"""Authorisation per trust level: anyone, linked user, ADML of the school, support agent."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.accounts import Account, AccountState, Profile
from bot.core.authz import Actor, Permission, authorise

STUDENT = Account(
    "lucas.martin",
    Profile.STUDENT,
    AccountState.ACTIVE,
    uai="0750001A",
    ent_mail="lucas.martin@monlycee.net",
    backup_email="l@example.org",
    backup_email_validated=False,
)
ADML = Account("isabelle.roux", Profile.STAFF, AccountState.ACTIVE, uai="0750001A", adml_of=("0750001A",))
OTHER_ADML = Account("claire.lambert", Profile.STAFF, AccountState.ACTIVE, uai="0931234B", adml_of=("0931234B",))
TEACHER = Account("paul.moreau", Profile.TEACHER, AccountState.ACTIVE, uai="0750001A")

ANYONE = Actor("web:anon")
AGENT = Actor("telegram:1", is_agent=True)
SELF = Actor("telegram:2", linked_account=STUDENT)
SCHOOL_ADML = Actor("telegram:3", linked_account=ADML)
FOREIGN_ADML = Actor("telegram:4", linked_account=OTHER_ADML)
LINKED_TEACHER = Actor("telegram:5", linked_account=TEACHER)


@pytest.mark.parametrize(
    ("actor", "allowed", "reason"),
    [
        (AGENT, True, None),
        (SCHOOL_ADML, True, None),
        (FOREIGN_ADML, False, "other_school"),
        (LINKED_TEACHER, False, "not_adml"),
        (SELF, False, "not_adml"),
        (ANYONE, False, "not_linked"),
    ],
)
@pytest.mark.parametrize("permission", [Permission.RESET_PASSWORD, Permission.UNLOCK_ACCOUNT])
def test_reset_and_unlock(actor: Actor, allowed: bool, reason: str | None, permission: Permission) -> None:
    decision = authorise(actor, permission, STUDENT)
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_adml_cannot_act_on_an_account_without_a_school() -> None:
    region = Account("jean.cridf", Profile.CRIDF, AccountState.ACTIVE)
    assert authorise(SCHOOL_ADML, Permission.RESET_PASSWORD, region).reason == "no_school"


def test_disabled_accounts_are_never_changed() -> None:
    disabled = dataclasses.replace(STUDENT, state=AccountState.DISABLED)
    for permission in (Permission.RESET_PASSWORD, Permission.RESEND_VALIDATION_LINK, Permission.LINK_ACCOUNT):
        assert authorise(AGENT, permission, disabled).reason == "account_disabled"


def test_anyone_may_resend_a_link_to_the_address_on_file_only() -> None:
    assert authorise(ANYONE, Permission.RESEND_VALIDATION_LINK, STUDENT).allowed
    no_address = dataclasses.replace(STUDENT, backup_email=None)
    assert authorise(ANYONE, Permission.RESEND_VALIDATION_LINK, no_address).reason == "no_address_on_file"
    validated = dataclasses.replace(STUDENT, backup_email_validated=True)
    assert authorise(ANYONE, Permission.RESEND_VALIDATION_LINK, validated).reason == "already_validated"


def test_activation_mail_only_for_never_activated_accounts_with_an_address() -> None:
    provisional = dataclasses.replace(STUDENT, state=AccountState.PROVISIONAL)
    assert authorise(ANYONE, Permission.RESEND_ACTIVATION_MAIL, provisional).allowed
    assert authorise(ANYONE, Permission.RESEND_ACTIVATION_MAIL, STUDENT).reason == "not_provisional"
    no_address = dataclasses.replace(provisional, backup_email=None)
    assert authorise(ANYONE, Permission.RESEND_ACTIVATION_MAIL, no_address).reason == "no_address_on_file"


def test_linking_needs_an_ent_mail_or_a_validated_address() -> None:
    assert authorise(ANYONE, Permission.LINK_ACCOUNT, STUDENT).allowed
    bare = dataclasses.replace(STUDENT, ent_mail=None)
    assert authorise(ANYONE, Permission.LINK_ACCOUNT, bare).reason == "no_address_on_file"
    assert authorise(ANYONE, Permission.LINK_ACCOUNT, dataclasses.replace(bare, backup_email_validated=True)).allowed


def test_notify_adml_only_for_ones_own_verified_account() -> None:
    assert authorise(SELF, Permission.NOTIFY_ADML, STUDENT).allowed
    assert authorise(ANYONE, Permission.NOTIFY_ADML, STUDENT).reason == "not_linked"
    assert authorise(LINKED_TEACHER, Permission.NOTIFY_ADML, STUDENT).reason == "not_your_account"
    schoolless = Account("x.y", Profile.OTHER, AccountState.ACTIVE)
    assert authorise(Actor("t:9", linked_account=schoolless), Permission.NOTIFY_ADML, schoolless).reason == "no_school"


def test_viewing_an_account() -> None:
    assert authorise(SELF, Permission.VIEW_ACCOUNT, STUDENT).allowed
    assert authorise(SCHOOL_ADML, Permission.VIEW_ACCOUNT, STUDENT).allowed
    assert authorise(AGENT, Permission.VIEW_ACCOUNT, STUDENT).allowed
    assert authorise(FOREIGN_ADML, Permission.VIEW_ACCOUNT, STUDENT).reason == "not_your_account"
    assert authorise(ANYONE, Permission.VIEW_ACCOUNT, STUDENT).reason == "not_linked"


@pytest.mark.parametrize("permission", [Permission.LIST_UNACTIVATED, Permission.DECIDE_RESET_REQUEST])
def test_school_lists_and_decisions(permission: Permission) -> None:
    assert authorise(SCHOOL_ADML, permission, None, school_uai="0750001A").allowed
    assert authorise(AGENT, permission, None, school_uai="0750001A").allowed
    assert authorise(FOREIGN_ADML, permission, None, school_uai="0750001A").reason == "other_school"
    assert authorise(ANYONE, permission, None, school_uai="0750001A").reason == "not_linked"


def test_tickets_are_worked_by_agents_only_and_opened_by_anyone() -> None:
    assert authorise(AGENT, Permission.WORK_TICKETS, None).allowed
    assert authorise(SCHOOL_ADML, Permission.WORK_TICKETS, None).reason == "agents_only"
    assert authorise(ANYONE, Permission.CREATE_TICKET, None).allowed


def test_an_account_permission_without_a_target_is_refused() -> None:
    assert authorise(AGENT, Permission.RESET_PASSWORD, None).reason == "unknown_account"


@pytest.mark.parametrize("permission", [Permission.RESET_PASSWORD, Permission.UNLOCK_ACCOUNT])
def test_adml_accounts_are_for_support_only(permission: Permission) -> None:
    peer = Account("nadia.benali", Profile.STAFF, AccountState.ACTIVE, uai="0750001A", adml_of=("0750001A",))
    elsewhere = Account("x.adml", Profile.STAFF, AccountState.ACTIVE, uai="0750001A", adml_of=("0931234B",))
    assert authorise(SCHOOL_ADML, permission, ADML).reason == "own_account"
    assert authorise(SCHOOL_ADML, permission, peer).reason == "adml_account"
    assert authorise(SCHOOL_ADML, permission, elsewhere).reason == "adml_account"
    assert authorise(AGENT, permission, peer).allowed


@pytest.mark.parametrize("permission", [Permission.RESET_PASSWORD, Permission.UNLOCK_ACCOUNT])
def test_another_schools_account_is_refused_alike_whatever_its_state(permission: Permission) -> None:
    for state in AccountState:
        target = dataclasses.replace(STUDENT, state=state)
        assert authorise(FOREIGN_ADML, permission, target).reason == "other_school"
    assert (
        authorise(SCHOOL_ADML, permission, dataclasses.replace(STUDENT, state=AccountState.DISABLED)).reason
        == "account_disabled"
    )


def test_an_adml_asks_support_not_peers_for_their_own_reset() -> None:
    assert authorise(SCHOOL_ADML, Permission.NOTIFY_ADML, ADML).reason == "adml_account"
