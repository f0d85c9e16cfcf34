"""Changes to the directory when something fails: the directory, an unexpected error, the audit log itself.

What an ADML and an auditor notice: no password is shown for a change that was not made, every attempt leaves
an audit row to recover from (`started`, then `failed` and why), a failed reset gives the user's request back
to the ADMLs, and a change that was made is shown even when its last audit row could not be written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any, cast

import pytest

from bot.config import AppConfig
from bot.core.accounts import AccountState
from bot.core.authz import Actor
from bot.directory.port import Directory, DirectoryError
from bot.services import Services
from bot.services.operations import Operations
from bot.storage.audit import AuditLog
from bot.storage.links import ResetRequestView
from bot.texts import text
from tests.conftest import SettableClock
from tests.operations.conftest import AuditFailingOn, audit_rows

ADML = "telegram:6001"  # isabelle.roux, ADML of 0750001A
OTHER_ADML = "telegram:6002"  # claire.lambert, ADML of 0931234B
USER = "telegram:5001"  # lucas.martin


class FailingDirectory:
    """The directory, but for its changes, which raise `error`; notes how the request `watched` stands meanwhile."""

    def __init__(self, inner: Directory, error: Exception, services: Services) -> None:
        self.inner = inner
        self.error = error
        self.services = services
        self.watched: int | None = None
        self.requests_seen: list[ResetRequestView | None] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def set_provisional_password(self, login: str, password: str, now: dt.datetime) -> None:
        if self.watched is not None:
            self.requests_seen.append(self.services.reset_requests.get(self.watched))
        raise self.error

    def unlock(self, login: str) -> None:
        raise self.error


@pytest.fixture
def linked(services: Services, clock: SettableClock) -> Services:
    for sender, login in ((ADML, "isabelle.roux"), (OTHER_ADML, "claire.lambert"), (USER, "lucas.martin")):
        services.links.link(sender, login, clock())
    return services


def failing(services: Services, error: Exception) -> tuple[Operations, FailingDirectory]:
    directory = FailingDirectory(services.directory, error, services)
    return Operations(dataclasses.replace(services, directory=cast(Directory, directory))), directory


def test_a_reset_the_directory_refuses_shows_no_password_and_leaves_its_trace(linked: Services) -> None:
    operations, _ = failing(linked, DirectoryError("ldap://annuaire: timeout"))
    result = operations.reset_password(linked.actor(ADML), "telegram", "lucas.martin")
    assert (result.status, result.reason, result.provisional_password) == ("failed", "directory_down", None)
    assert audit_rows(linked, "reset_password") == [
        (ADML, "isabelle.roux", "telegram", "lucas.martin", "started", None),
        (ADML, "isabelle.roux", "telegram", "lucas.martin", "failed", "ldap://annuaire: timeout"),
    ]
    account = linked.directory.find_account("lucas.martin")
    assert account is not None and account.state is AccountState.ACTIVE


def test_an_unlock_the_directory_refuses_leaves_its_trace(linked: Services) -> None:
    operations, _ = failing(linked, DirectoryError("ldap://annuaire: timeout"))
    result = operations.unlock_account(linked.actor(OTHER_ADML), "telegram", "emma.leroy")
    assert (result.status, result.reason) == ("failed", "directory_down")
    assert [row[4:] for row in audit_rows(linked, "unlock_account")] == [
        ("started", None),
        ("failed", "ldap://annuaire: timeout"),
    ]


def test_an_unexpected_error_is_audited_by_its_kind_and_raised(linked: Services) -> None:
    operations, _ = failing(linked, KeyError("ENTPersonPassword"))
    with pytest.raises(KeyError):
        operations.reset_password(linked.actor(ADML), "telegram", "lucas.martin")
    assert audit_rows(linked, "reset_password")[-1] == (
        ADML,
        "isabelle.roux",
        "telegram",
        "lucas.martin",
        "failed",
        "KeyError",
    )


def test_a_reset_made_is_shown_even_if_its_last_audit_row_is_not_written(
    linked: Services, caplog: pytest.LogCaptureFixture
) -> None:
    operations = Operations(dataclasses.replace(linked, audit=cast(AuditLog, AuditFailingOn(linked.audit, "done"))))
    with caplog.at_level(logging.ERROR, logger="bot.services.operations"):
        result = operations.reset_password(linked.actor(ADML), "telegram", "lucas.martin")
    assert result.done and result.provisional_password is not None
    assert [row[4] for row in audit_rows(linked, "reset_password")] == ["started"]  # enough to recover from
    assert caplog.messages == [
        "audit row not written (reset_password/done, target lucas.martin, by telegram chat 6001): RuntimeError"
    ]
    assert result.provisional_password not in caplog.text


def test_a_failure_whose_audit_row_is_not_written_is_still_a_failure(
    linked: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services = dataclasses.replace(linked, audit=cast(AuditLog, AuditFailingOn(linked.audit, "failed")))
    operations, _ = failing(services, DirectoryError("ldap://annuaire: timeout"))
    with caplog.at_level(logging.ERROR, logger="bot.services.operations"):
        result = operations.reset_password(linked.actor(ADML), "telegram", "lucas.martin")
    assert (result.status, result.reason) == ("failed", "directory_down")
    assert caplog.messages == [
        "audit row not written (reset_password/failed, target lucas.martin, by telegram chat 6001): RuntimeError"
    ]


# -- a user's reset request, when the reset fails ------------------------------------------------------------
def request_of(services: Services) -> int:
    result = Operations(services).notify_adml(services.actor(USER), "telegram", "lucas.martin")
    assert result.reference is not None
    services.relay.take(ADML)
    return result.reference


@pytest.mark.parametrize("error", [DirectoryError("ldap://annuaire: timeout"), KeyError("ENTPersonPassword")])
def test_a_request_whose_reset_fails_goes_back_to_the_admls(linked: Services, error: Exception) -> None:
    request = request_of(linked)
    operations, directory = failing(linked, error)
    directory.watched = request
    if isinstance(error, DirectoryError):
        result = operations.decide_reset_request(linked.actor(ADML), "telegram", request, approved=True)
        assert (result.status, result.reason, result.provisional_password) == ("failed", "directory_down", None)
        assert result.reference == request
    else:
        with pytest.raises(KeyError):
            operations.decide_reset_request(linked.actor(ADML), "telegram", request, approved=True)
    (during,) = directory.requests_seen
    assert during is not None and (during.status, during.decided_by) == ("deciding", ADML)  # who took it, meanwhile
    stored = linked.reset_requests.get(request)
    assert stored is not None and (stored.status, stored.decided_by) == ("pending", None)
    assert linked.relay.take(USER) == []  # the requester is told nothing yet
    assert Operations(linked).decide_reset_request(linked.actor(ADML), "telegram", request, approved=True).done


def test_a_decision_names_who_took_it_and_is_kept_until_purged(linked: Services, clock: SettableClock) -> None:
    approved = request_of(linked)
    operations = Operations(linked)
    assert operations.decide_reset_request(linked.actor(ADML), "telegram", approved, approved=True).done
    linked.links.link("telegram:5003", "chloe.bernard", clock())
    denied_request = operations.notify_adml(linked.actor("telegram:5003"), "telegram", "chloe.bernard").reference
    assert denied_request is not None
    denied = operations.decide_reset_request(linked.actor(ADML), "telegram", denied_request, approved=False)
    assert (denied.status, denied.reason, denied.reference) == ("done", "denied", denied_request)
    for request, status in ((approved, "approved"), (denied_request, "denied")):
        stored = linked.reset_requests.get(request)
        assert stored is not None and (stored.status, stored.decided_by) == (status, ADML)
    assert linked.reset_requests.purge_decided(clock() - dt.timedelta(seconds=1)) == 0
    assert linked.reset_requests.purge_decided(clock() + dt.timedelta(seconds=1)) == 2


def test_a_request_reaches_every_linked_adml_of_the_school(linked: Services, clock: SettableClock) -> None:
    linked.links.link("web:isabelle", "isabelle.roux", clock())  # the same ADML on a second channel
    result = Operations(linked).notify_adml(linked.actor(USER), "telegram", "lucas.martin")
    assert result.done
    for sender in (ADML, "web:isabelle"):
        (notice,) = linked.relay.take(sender)
        assert f'/approve_reset{{"request_id": {result.reference}}}' in [b.payload for b in notice.buttons]
    assert linked.relay.take(OTHER_ADML) == []
    assert audit_rows(linked, "notify_adml") == [
        (USER, "lucas.martin", "telegram", "lucas.martin", "done", f"request {result.reference} to 2 ADML(s)")
    ]


def test_an_agent_reads_unknown_account_where_an_adml_reads_other_school(linked: Services) -> None:
    agent = Actor("web-desk:agent", is_agent=True)
    operations = Operations(linked)
    assert operations.reset_password(agent, "desk", "personne.inconnue").reason == "unknown_account"
    assert operations.reset_password(linked.actor(ADML), "telegram", "personne.inconnue").reason == "other_school"
    assert operations.resend_validation_link(linked.actor(ADML), "telegram", "personne.inconnue").reason == (
        "unknown_account"
    )
    assert [row[3:] for row in audit_rows(linked, "reset_password")] == [
        ("personne.inconnue", "unknown_target", None),
        ("personne.inconnue", "unknown_target", None),
    ]


@pytest.mark.parametrize(("sender", "reason"), [("web:stranger", "not_linked"), (USER, "not_adml")])
def test_who_may_not_administer_is_refused_before_any_look_up(linked: Services, sender: str, reason: str) -> None:
    result = Operations(linked).reset_password(linked.actor(sender), "web", "Lucas.Martin")
    assert (result.status, result.reason) == ("refused", reason)
    assert audit_rows(linked, "reset_password")[-1][3:] == ("lucas.martin", "refused", reason)


# -- audit rows of the refusals, what the ADMLs receive ----------------------------------------------------------
def test_a_second_request_and_a_request_nobody_can_read_are_audited_with_their_reason(linked: Services) -> None:
    operations = Operations(linked)
    first = request_of(linked)
    again = operations.notify_adml(linked.actor(USER), "telegram", "lucas.martin")
    assert (again.reason, again.reference) == ("already_pending", first)
    linked.links.link("telegram:5004", "chloe.bernard", linked.now())
    linked.links.unlink(ADML, linked.now())
    alone = operations.notify_adml(linked.actor("telegram:5004"), "telegram", "chloe.bernard")
    assert alone.reason == "no_adml_reachable"
    assert [row[3:] for row in audit_rows(linked, "notify_adml")] == [
        ("lucas.martin", "done", f"request {first} to 1 ADML(s)"),
        ("lucas.martin", "refused", "already_pending"),
        ("chloe.bernard", "refused", "no_adml_reachable"),
    ]


def test_the_adml_reads_the_request_and_answers_it_with_a_button(linked: Services) -> None:
    result = Operations(linked).notify_adml(linked.actor(USER), "telegram", "lucas.martin")
    (notice,) = linked.relay.take(ADML)
    assert notice.text == text("reset_request_to_adml", request_id=result.reference, login="lucas.martin")
    assert [(b.title, b.payload) for b in notice.buttons] == [
        (text("button_approve_reset"), f'/approve_reset{{"request_id": {result.reference}}}'),
        (text("button_deny_reset"), f'/deny_reset{{"request_id": {result.reference}}}'),
    ]


def test_a_request_decided_by_another_adml_names_itself(linked: Services) -> None:
    request = request_of(linked)
    assert linked.reset_requests.claim(request, "telegram:6003")
    result = Operations(linked).decide_reset_request(linked.actor(ADML), "telegram", request, approved=False)
    assert (result.status, result.reason, result.reference) == ("refused", "already_deciding", request)


def test_unlocking_an_account_that_is_not_locked_is_audited_as_such(linked: Services) -> None:
    operations = Operations(linked)
    assert operations.unlock_account(linked.actor(OTHER_ADML), "telegram", "karim.haddad").reason == "not_locked"
    assert operations.unlock_account(linked.actor(OTHER_ADML), "telegram", "emma.leroy").done
    assert [row[3:] for row in audit_rows(linked, "unlock_account")] == [
        ("karim.haddad", "refused", "not_locked"),
        ("emma.leroy", "started", None),
        ("emma.leroy", "done", None),
    ]


def test_a_reset_password_follows_the_policy_of_the_accounts_ent(linked: Services, config: AppConfig) -> None:
    tenants = dict(config.tenants)
    policy = tenants["netocentre"].password_policy.model_copy(update={"min_length": 16})
    tenants["netocentre"] = tenants["netocentre"].model_copy(update={"password_policy": policy})
    stricter = Operations(dataclasses.replace(linked, config=config.model_copy(update={"tenants": tenants})))
    linked.links.link("telegram:6004", "helene.michel", linked.now())  # ADML of 0450012D, netocentre
    netocentre = stricter.reset_password(linked.actor("telegram:6004"), "telegram", "jules.faure")
    monlycee = stricter.reset_password(linked.actor(ADML), "telegram", "lucas.martin")
    assert netocentre.provisional_password is not None and len(netocentre.provisional_password) == 16
    assert monlycee.provisional_password is not None and len(monlycee.provisional_password) == 12  # 12 at least


def test_a_reset_is_dated_for_the_list_of_accounts_to_activate(linked: Services, clock: SettableClock) -> None:
    clock.advance(hours=2)
    assert Operations(linked).reset_password(linked.actor(ADML), "telegram", "lucas.martin").done
    account = linked.directory.find_account("lucas.martin")
    assert account is not None and account.provisional_issued_at == clock()
