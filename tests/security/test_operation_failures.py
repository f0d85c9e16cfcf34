"""Resets and unlocks survive a failure at any step (issue item 2): the intent is audited before the
directory changes, the outcome after; a password already set in the directory is still shown once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.core.authz import Actor
from bot.directory.port import DirectoryError
from bot.services import Services
from bot.services.operations import Operations
from tests.conftest import SettableClock
from tests.support.expect import present

ADML = "telegram:6001"


def adml(services: Services, clock: SettableClock) -> Actor:
    services.links.link(ADML, "isabelle.roux", clock())
    return services.actor(ADML)


def locked_database(services: Services, monkeypatch: pytest.MonkeyPatch, outcome: str) -> None:
    """The audit write of `outcome` fails as a locked SQLite database does."""
    real = services.audit.append

    def append(**fields: Any) -> int:
        if fields["outcome"] == outcome:
            raise OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))
        return real(**fields)

    monkeypatch.setattr(services.audit, "append", append)


def rows(services: Services, operation: str) -> list[str]:
    return [e.outcome for e in reversed(services.audit.recent()) if e.operation == operation]


def test_the_intent_is_audited_before_the_directory_changes(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = adml(services, clock)
    seen: list[str] = []
    real_set: Callable[..., None] = services.directory.set_provisional_password

    def set_password(login: str, password: str, now: Any) -> None:
        seen.append("directory:" + ",".join(rows(services, "reset_password")))
        real_set(login, password, now)

    monkeypatch.setattr(services.directory, "set_provisional_password", set_password)
    assert Operations(services).reset_password(actor, "telegram", "lucas.martin").done
    assert seen == ["directory:started"]
    assert rows(services, "reset_password") == ["started", "done"]


def test_a_database_failure_after_the_reset_still_shows_the_password_once(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    actor = adml(services, clock)
    locked_database(services, monkeypatch, "done")
    with caplog.at_level(logging.ERROR):
        result = Operations(services).reset_password(actor, "telegram", "lucas.martin")
    assert result.done and result.provisional_password
    assert present(services.directory.find_account("lucas.martin")).state.value == "reset"
    assert rows(services, "reset_password") == ["started"]  # what an ADML or agent finds to recover from
    assert "reset_password" in caplog.text and result.provisional_password not in caplog.text


def test_no_reset_without_its_intent_on_record(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = adml(services, clock)
    locked_database(services, monkeypatch, "started")
    with pytest.raises(OperationalError):
        Operations(services).reset_password(actor, "telegram", "lucas.martin")
    assert present(services.directory.find_account("lucas.martin")).state.value == "active"


def test_a_crash_in_the_directory_leaves_the_intent_and_the_failure(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = adml(services, clock)

    def crash(*_: Any) -> None:
        raise RuntimeError("connection reset by peer")

    monkeypatch.setattr(services.directory, "set_provisional_password", crash)
    with pytest.raises(RuntimeError):
        Operations(services).reset_password(actor, "telegram", "lucas.martin")
    assert rows(services, "reset_password") == ["started", "failed"]


def test_a_directory_failure_is_told_and_audited(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = adml(services, clock)

    def down(*_: Any) -> None:
        raise DirectoryError("ldap://127.0.0.1:389 unreachable")

    monkeypatch.setattr(services.directory, "set_provisional_password", down)
    result = Operations(services).reset_password(actor, "telegram", "lucas.martin")
    assert (result.status, result.reason, result.provisional_password) == ("failed", "directory_down", None)
    assert rows(services, "reset_password") == ["started", "failed"]


def test_an_unlock_is_audited_before_and_after_and_survives_a_locked_database(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.links.link("telegram:6002", "claire.lambert", clock())
    actor = services.actor("telegram:6002")
    locked_database(services, monkeypatch, "done")
    result = Operations(services).unlock_account(actor, "telegram", "emma.leroy")
    assert result.done
    assert present(services.directory.find_account("emma.leroy")).locked_until is None
    assert rows(services, "unlock_account") == ["started"]


def test_no_unlock_without_its_intent_on_record(
    services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.links.link("telegram:6002", "claire.lambert", clock())
    actor = services.actor("telegram:6002")
    locked_database(services, monkeypatch, "started")
    with pytest.raises(OperationalError):
        Operations(services).unlock_account(actor, "telegram", "emma.leroy")
    assert present(services.directory.find_account("emma.leroy")).locked_until is not None
