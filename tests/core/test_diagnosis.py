"""Every branch of `diagnose`, in the order the causes hide one another."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.accounts import AccountSource, AccountState
from bot.core.diagnosis import DiagnosisCode, NextStep, TenantRules, diagnose
from bot.core.freeze import NOT_FROZEN
from tests.core.diagnosed import ACTIVE, FROZEN, HOLIDAY, NOW, RULES, with_


def test_unknown_account() -> None:
    result = diagnose(None, NOW, RULES, FROZEN)
    assert (result.code, result.next_step) == (DiagnosisCode.ACCOUNT_UNKNOWN, NextStep.CHECK_IDENTIFIER)


def test_disabled_hides_freeze_and_lock() -> None:
    account = with_(state=AccountState.DISABLED, locked_until=NOW + dt.timedelta(hours=1))
    result = diagnose(account, NOW, RULES, FROZEN)
    assert result.code is DiagnosisCode.ACCOUNT_DISABLED
    assert result.offered_operation == "create_ticket"


def test_freeze_blocks_ent_accounts_and_gives_its_end() -> None:
    result = diagnose(with_(state=AccountState.PROVISIONAL), NOW, RULES, FROZEN)
    assert result.code is DiagnosisCode.VACATION_FREEZE
    assert result.until == dt.date(2026, 8, 21)
    assert result.next_step is NextStep.WAIT_END_OF_FREEZE


def test_freeze_does_not_concern_local_cesame_accounts() -> None:
    result = diagnose(with_(source=AccountSource.LOCAL), NOW, RULES, FROZEN)
    assert result.code is DiagnosisCode.ACCOUNT_OK


def test_lock_in_the_future() -> None:
    until = NOW + dt.timedelta(minutes=20)
    result = diagnose(with_(locked_until=until), NOW, RULES, NOT_FROZEN)
    assert result.code is DiagnosisCode.ACCOUNT_LOCKED
    assert result.until == until and result.offered_operation == "unlock_account"


def test_lock_in_the_past_is_ignored() -> None:
    result = diagnose(with_(locked_until=NOW - dt.timedelta(seconds=1)), NOW, RULES, NOT_FROZEN)
    assert result.code is DiagnosisCode.ACCOUNT_OK


def test_reset_account_must_be_reactivated() -> None:
    result = diagnose(with_(state=AccountState.RESET), NOW, RULES, NOT_FROZEN)
    assert (result.code, result.next_step) == (DiagnosisCode.RESET_PENDING, NextStep.REACTIVATE)


def test_never_activated_offers_the_activation_mail_only_with_an_address() -> None:
    with_address = diagnose(with_(state=AccountState.PROVISIONAL), NOW, RULES, NOT_FROZEN)
    without = diagnose(with_(state=AccountState.PROVISIONAL, backup_email=None), NOW, RULES, NOT_FROZEN)
    assert with_address.code is without.code is DiagnosisCode.NOT_ACTIVATED
    assert with_address.offered_operation == "resend_activation_mail"
    assert without.offered_operation is None


def test_provisional_issue_date_is_evidence() -> None:
    issued = NOW - dt.timedelta(days=3)
    result = diagnose(with_(state=AccountState.PROVISIONAL, provisional_issued_at=issued), NOW, RULES, NOT_FROZEN)
    assert any(issued.isoformat() in line for line in result.evidence)


@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [
        (1, DiagnosisCode.VALIDATION_PENDING),
        (47.9, DiagnosisCode.VALIDATION_PENDING),
        (48, DiagnosisCode.LINK_EXPIRED),
        (200, DiagnosisCode.LINK_EXPIRED),
    ],
)
def test_validation_link_pending_under_48_hours_expired_after(hours_ago: float, expected: DiagnosisCode) -> None:
    sent = NOW - dt.timedelta(hours=hours_ago)
    account = with_(backup_email_validated=False, validation_link_sent_at=sent)
    result = diagnose(account, NOW, RULES, NOT_FROZEN)
    assert result.code is expected
    assert result.until == sent + dt.timedelta(hours=48)
    assert result.offered_operation == "resend_validation_link"


def test_link_validity_comes_from_the_tenant_rules() -> None:
    account = with_(backup_email_validated=False, validation_link_sent_at=NOW - dt.timedelta(hours=30))
    short = TenantRules(validation_link_hours=24, freeze_windows=(), zone="B")
    assert diagnose(account, NOW, short, NOT_FROZEN).code is DiagnosisCode.LINK_EXPIRED


def test_unvalidated_address_without_a_sent_link_is_not_a_failure() -> None:
    account = with_(backup_email_validated=False, validation_link_sent_at=None)
    assert diagnose(account, NOW, RULES, NOT_FROZEN).code is DiagnosisCode.ACCOUNT_OK


def test_nothing_wrong_during_school_holidays_mentions_a_possible_short_freeze() -> None:
    assert diagnose(ACTIVE, NOW, RULES, HOLIDAY).possible_short_freeze
    assert not diagnose(ACTIVE, NOW, RULES, NOT_FROZEN).possible_short_freeze
    assert not diagnose(with_(source=AccountSource.LOCAL), NOW, RULES, HOLIDAY).possible_short_freeze


def test_what_the_user_reports_is_evidence() -> None:
    result = diagnose(ACTIVE, NOW, RULES, NOT_FROZEN, reported="account_reset_done")
    assert result.code is DiagnosisCode.ACCOUNT_OK and "user reports: account_reset_done" in result.evidence
    assert result.offered_operation is None


def test_a_missing_validation_mail_with_no_send_time_offers_a_resend() -> None:
    account = with_(backup_email_validated=False, validation_link_sent_at=None)
    result = diagnose(account, NOW, RULES, NOT_FROZEN, reported="validation_mail_missing")
    assert (result.code, result.next_step, result.offered_operation) == (
        DiagnosisCode.ACCOUNT_OK,
        NextStep.RESEND_VALIDATION_LINK,
        "resend_validation_link",
    )
    assert diagnose(ACTIVE, NOW, RULES, NOT_FROZEN, reported="validation_mail_missing").offered_operation is None
