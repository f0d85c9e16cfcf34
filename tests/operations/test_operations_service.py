"""The operations service without a conversation around it: limits, the reset-request decisions, the password.

Fast (no classifier): the `services` of a temporary database and the demo directory, actors built as the
channels build them. What a user would notice: a refusal and its reason, what changed in the directory,
what the requester is told, what the audit keeps.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest

from bot.core.accounts import AccountState
from bot.core.authz import Actor
from bot.services import Services
from bot.services.operations import Operations, provisional_password
from tests.conftest import SettableClock

ADML = "telegram:6001"  # isabelle.roux, ADML of 0750001A
OTHER_ADML = "telegram:6002"  # claire.lambert, ADML of 0931234B
USER = "telegram:5001"  # lucas.martin, a student of 0750001A
LOOK_ALIKES = set("0O1lIio")
SPECIALS = set("-+!*?%")


@pytest.fixture
def operations(services: Services, clock: SettableClock) -> Operations:
    services.links.link(ADML, "isabelle.roux", clock())
    services.links.link(OTHER_ADML, "claire.lambert", clock())
    services.links.link(USER, "lucas.martin", clock())
    return Operations(services)


def outcomes(services: Services, operation: str) -> list[tuple[str | None, str, str | None]]:
    return [(e.target, e.outcome, e.detail) for e in reversed(services.audit.recent()) if e.operation == operation]


# -- limits ------------------------------------------------------------------------------------------
def test_a_chat_gets_five_operations_a_minute(operations: Operations, services: Services, clock: SettableClock) -> None:
    chat = Actor("web:busy")
    logins = ["marie.dupont", "chloe.bernard", "hugo.petit", "emma.leroy", "karim.haddad", "sophie.garnier"]
    statuses = [operations.reset_password(chat, "web", login).status for login in logins]
    assert statuses == ["refused"] * 5 + ["rate_limited"]
    assert outcomes(services, "reset_password")[-1] == ("sophie.garnier", "rate_limited", None)
    clock.advance(seconds=61)
    assert operations.reset_password(chat, "web", "marie.dupont").status == "refused"  # a new minute


def test_one_account_gets_three_operations_a_minute_whoever_asks(operations: Operations) -> None:
    statuses = [operations.reset_password(Actor(f"web:c{n}"), "web", "marie.dupont").status for n in range(4)]
    assert statuses == ["refused"] * 3 + ["rate_limited"]


def test_agents_are_not_rate_limited(operations: Operations) -> None:
    agent = Actor("web-desk:agent", is_agent=True)
    statuses = {operations.reset_password(agent, "desk", "lucas.martin").status for _ in range(7)}
    assert statuses == {"done"}


def test_a_ticket_counts_against_the_chat(operations: Operations) -> None:
    busy = Actor("web:tickets")
    for login in ["marie.dupont", "chloe.bernard", "hugo.petit", "emma.leroy", "karim.haddad"]:
        operations.reset_password(busy, "web", login)
    assert operations.create_ticket(busy, "web", None, None, None, "aide").status == "rate_limited"
    calm = Actor("web:calm")
    first = operations.create_ticket(calm, "web", None, None, None, "aide")
    again = operations.create_ticket(calm, "web", None, None, None, "aide")
    assert first.done and (again.status, again.reason, again.reference) == ("refused", "already_open", first.reference)


# -- administering -----------------------------------------------------------------------------------
def test_an_adml_resets_an_account_of_their_school_with_a_policy_password(
    operations: Operations, services: Services
) -> None:
    result = operations.reset_password(services.actor(ADML), "telegram", "Lucas.Martin ")
    assert result.done and result.provisional_password is not None
    assert_policy_password(result.provisional_password, length=12)
    account = services.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.RESET
    assert outcomes(services, "reset_password") == [("lucas.martin", "started", None), ("lucas.martin", "done", None)]


@pytest.mark.parametrize(
    ("login", "status"),
    [("lucas.martin", "refused"), ("personne.inconnue", "unknown_target")],
)
def test_an_adml_of_another_school_reads_the_same_for_an_account_and_no_account(
    operations: Operations, services: Services, login: str, status: str
) -> None:
    result = operations.reset_password(services.actor(OTHER_ADML), "telegram", login)
    assert (result.status, result.reason, result.provisional_password) == (status, "other_school", None)


def test_an_adml_resets_a_colleague_who_is_not_an_adml(operations: Operations, services: Services) -> None:
    assert operations.reset_password(services.actor(ADML), "telegram", "nadia.benali").done


def test_an_adml_account_is_left_to_support(operations: Operations, services: Services) -> None:
    own = operations.reset_password(services.actor(ADML), "telegram", "isabelle.roux")
    assert (own.status, own.provisional_password) == ("refused", None)
    account = services.directory.find_account("isabelle.roux")
    assert account is not None and account.state is AccountState.ACTIVE


def test_a_lock_ending_now_is_not_unlocked_again(
    operations: Operations, services: Services, clock: SettableClock
) -> None:
    account = services.directory.find_account("emma.leroy")
    assert account is not None and account.locked_until is not None
    clock.now = account.locked_until
    services.links.link(OTHER_ADML, "claire.lambert", clock())  # an ADML's link lasts a working day
    result = operations.unlock_account(services.actor(OTHER_ADML), "telegram", "emma.leroy")
    assert (result.status, result.reason) == ("refused", "not_locked")
    clock.now = account.locked_until - dt.timedelta(seconds=1)
    assert operations.unlock_account(services.actor(OTHER_ADML), "telegram", "emma.leroy").done
    unlocked = services.directory.find_account("emma.leroy")
    assert unlocked is not None and unlocked.locked_until is None


# -- the provisional password -------------------------------------------------------------------------
def assert_policy_password(password: str, length: int) -> None:
    assert len(password) == length
    assert set(password) & set(string.ascii_lowercase)
    assert set(password) & set(string.ascii_uppercase)
    assert set(password) & set(string.digits)
    assert set(password) & SPECIALS
    assert set(password) <= set(string.ascii_letters + string.digits) | SPECIALS
    assert not set(password) & LOOK_ALIKES


@pytest.mark.parametrize("length", [8, 12, 16])
def test_every_provisional_password_has_every_class_and_no_look_alike(length: int) -> None:
    passwords = [provisional_password(length) for _ in range(300)]
    for password in passwords:
        assert_policy_password(password, length)
    assert len(set(passwords)) == len(passwords)
    assert len({p[0] for p in passwords}) > 4  # shuffled: the lower-case letter is not always first


def test_the_default_provisional_password_has_twelve_characters() -> None:
    assert len(provisional_password()) == 12


# -- reset requests, outside any channel ----------------------------------------------------------------
def test_a_request_reaches_the_adml_once(operations: Operations, services: Services) -> None:
    first = operations.notify_adml(services.actor(USER), "telegram", "lucas.martin")
    assert first.done and first.reference is not None
    (notice,) = services.relay.take(ADML)
    assert "lucas.martin" in notice.text and [b.title for b in notice.buttons] == ["Accepter", "Refuser"]
    again = operations.notify_adml(services.actor(USER), "telegram", "lucas.martin")
    assert (again.status, again.reason, again.reference) == ("refused", "already_pending", first.reference)
    assert services.relay.take(ADML) == []


def test_a_request_without_a_reachable_adml_is_refused(operations: Operations, services: Services) -> None:
    services.links.unlink(ADML, services.now())
    result = operations.notify_adml(services.actor(USER), "telegram", "lucas.martin")
    assert (result.status, result.reason) == ("refused", "no_adml_reachable")
    assert services.reset_requests.pending_for("lucas.martin") is None


def request_of(operations: Operations, services: Services) -> int:
    result = operations.notify_adml(services.actor(USER), "telegram", "lucas.martin")
    assert result.reference is not None
    services.relay.take(ADML)
    return result.reference


def test_an_approved_request_resets_the_account_and_tells_the_requester(
    operations: Operations, services: Services
) -> None:
    request = request_of(operations, services)
    result = operations.decide_reset_request(services.actor(ADML), "telegram", request, approved=True)
    assert result.done and result.reference == request and result.provisional_password is not None
    assert_policy_password(result.provisional_password, length=12)
    account = services.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.RESET
    (told,) = services.relay.take(USER)
    assert "acceptée" in told.text and result.provisional_password not in told.text
    stored = services.reset_requests.get(request)
    assert stored is not None and stored.status == "approved"


def test_a_refused_request_changes_nothing_and_tells_the_requester(operations: Operations, services: Services) -> None:
    request = request_of(operations, services)
    result = operations.decide_reset_request(services.actor(ADML), "telegram", request, approved=False)
    assert (result.status, result.reason, result.provisional_password) == ("done", "denied", None)
    assert outcomes(services, "decide_reset_request") == [("lucas.martin", "done", "denied")]
    account = services.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE
    (told,) = services.relay.take(USER)
    assert "refusée" in told.text
    again = operations.decide_reset_request(services.actor(ADML), "telegram", request, approved=True)
    assert (again.status, again.reason) == ("refused", "already_denied")


def test_an_adml_of_another_school_cannot_decide(operations: Operations, services: Services) -> None:
    request = request_of(operations, services)
    result = operations.decide_reset_request(services.actor(OTHER_ADML), "telegram", request, approved=True)
    assert (result.status, result.reason, result.provisional_password) == ("refused", "other_school", None)
    assert outcomes(services, "decide_reset_request") == [("lucas.martin", "refused", "other_school")]
    stored = services.reset_requests.get(request)
    assert stored is not None and stored.status == "pending"
    assert services.relay.take(USER) == []


def test_a_request_claimed_by_another_adml_is_not_decided_twice(operations: Operations, services: Services) -> None:
    request = request_of(operations, services)
    assert services.reset_requests.claim(request, "telegram:6003")
    result = operations.decide_reset_request(services.actor(ADML), "telegram", request, approved=True)
    assert result.status == "refused" and result.reason is not None and result.reason.startswith("already_")
    assert result.provisional_password is None
    account = services.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


def test_an_unknown_request(operations: Operations, services: Services) -> None:
    result = operations.decide_reset_request(services.actor(ADML), "telegram", 999, approved=True)
    assert (result.status, result.reason) == ("unknown_target", "unknown_request")


@pytest.mark.parametrize(
    ("requester", "login"),
    [
        ("web:elsewhere", "isabelle.roux"),  # their own account, asked from another chat
        (ADML, "lucas.martin"),  # a request this very chat filed
    ],
)
def test_an_adml_cannot_decide_their_own_request(
    operations: Operations, services: Services, clock: SettableClock, requester: str, login: str
) -> None:
    request = services.reset_requests.create(login, "0750001A", requester, clock())
    result = operations.decide_reset_request(services.actor(ADML), "telegram", request.id, approved=True)
    assert (result.status, result.reason, result.provisional_password) == ("refused", "own_request", None)
    assert outcomes(services, "decide_reset_request") == [(login, "refused", "own_request")]
    stored = services.reset_requests.get(request.id)
    assert stored is not None and stored.status == "pending"
