"""Each branch of `diagnose` as a whole result: code, next step, evidence support reads, offer, end date.

`test_diagnosis.py` checks the order of the causes; here every field a caller or `bot account` shows is
pinned, including the boundaries (a lock that ends now, a link that expires now).
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.accounts import Account, AccountSource, AccountState
from bot.core.diagnosis import Diagnosis, DiagnosisCode, NextStep, diagnose
from bot.core.freeze import NOT_FROZEN, FreezeStatus
from tests.core.diagnosed import ACTIVE, FROZEN, HOLIDAY, NOW, RULES, with_

SENT = NOW - dt.timedelta(hours=10)
ISSUED = NOW - dt.timedelta(days=3)
OK = "state: active, nothing wrong in the directory"


CASES: dict[str, tuple[Account | None, FreezeStatus, str | None, Diagnosis]] = {
    "unknown": (
        None,
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.ACCOUNT_UNKNOWN, NextStep.CHECK_IDENTIFIER, ("no account with this identifier",)),
    ),
    "disabled": (
        with_(state=AccountState.DISABLED),
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.ACCOUNT_DISABLED, NextStep.CONTACT_SCHOOL, ("state: disabled",), "create_ticket"),
    ),
    "frozen": (
        ACTIVE,
        FROZEN,
        None,
        Diagnosis(
            DiagnosisCode.VACATION_FREEZE,
            NextStep.WAIT_END_OF_FREEZE,
            ("directory freeze (summer) until 2026-08-21",),
            until=dt.date(2026, 8, 21),
        ),
    ),
    "locked": (
        with_(locked_until=NOW + dt.timedelta(minutes=20)),
        NOT_FROZEN,
        None,
        Diagnosis(
            DiagnosisCode.ACCOUNT_LOCKED,
            NextStep.WAIT_FOR_UNLOCK,
            ("locked until 2026-09-15T10:20:00+00:00",),
            "unlock_account",
            until=NOW + dt.timedelta(minutes=20),
        ),
    ),
    "a lock ending now is over": (
        with_(locked_until=NOW),
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.ACCOUNT_OK, NextStep.CHECK_PASSWORD, (OK,)),
    ),
    "reset": (
        with_(state=AccountState.RESET),
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.RESET_PENDING, NextStep.REACTIVATE, ("state: reset, re-activation to do",)),
    ),
    "provisional": (
        with_(state=AccountState.PROVISIONAL, provisional_issued_at=ISSUED),
        NOT_FROZEN,
        None,
        Diagnosis(
            DiagnosisCode.NOT_ACTIVATED,
            NextStep.FIRST_LOGIN,
            (
                "state: provisional, first login never done",
                "provisional password issued 2026-09-12T10:00:00+00:00",
            ),
            "resend_activation_mail",
        ),
    ),
    "provisional, no address, no issue date": (
        with_(state=AccountState.PROVISIONAL, backup_email=None),
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.NOT_ACTIVATED, NextStep.FIRST_LOGIN, ("state: provisional, first login never done",)),
    ),
    "link pending": (
        with_(backup_email_validated=False, validation_link_sent_at=SENT),
        NOT_FROZEN,
        None,
        Diagnosis(
            DiagnosisCode.VALIDATION_PENDING,
            NextStep.CHECK_SPAM,
            ("validation link sent 2026-09-15T00:00:00+00:00", "valid until 2026-09-17T00:00:00+00:00"),
            "resend_validation_link",
            until=SENT + dt.timedelta(hours=48),
        ),
    ),
    "a link expiring now has expired": (
        with_(backup_email_validated=False, validation_link_sent_at=NOW - dt.timedelta(hours=48)),
        NOT_FROZEN,
        None,
        Diagnosis(
            DiagnosisCode.LINK_EXPIRED,
            NextStep.RESEND_VALIDATION_LINK,
            ("validation link sent 2026-09-13T10:00:00+00:00", "expired 2026-09-15T10:00:00+00:00"),
            "resend_validation_link",
            until=NOW,
        ),
    ),
    "a link without an address to validate is not a failure": (
        with_(backup_email=None, backup_email_validated=False, validation_link_sent_at=SENT),
        NOT_FROZEN,
        None,
        Diagnosis(DiagnosisCode.ACCOUNT_OK, NextStep.CHECK_PASSWORD, (OK,)),
    ),
    "ok during a school holiday": (
        ACTIVE,
        HOLIDAY,
        "account_reset_done",
        Diagnosis(
            DiagnosisCode.ACCOUNT_OK,
            NextStep.CHECK_PASSWORD,
            (OK, "school holiday: Vacances de la Toussaint", "user reports: account_reset_done"),
            possible_short_freeze=True,
        ),
    ),
    "a local account in the holidays: no short freeze": (
        with_(source=AccountSource.LOCAL),
        HOLIDAY,
        None,
        Diagnosis(DiagnosisCode.ACCOUNT_OK, NextStep.CHECK_PASSWORD, (OK,)),
    ),
    "a missing validation mail, no send time": (
        with_(backup_email_validated=False),
        HOLIDAY,
        "link_expired",
        Diagnosis(
            DiagnosisCode.ACCOUNT_OK,
            NextStep.RESEND_VALIDATION_LINK,
            (
                OK,
                "school holiday: Vacances de la Toussaint",
                "user reports: link_expired",
                "backup address not validated, no link send time on record",
            ),
            "resend_validation_link",
            possible_short_freeze=True,
        ),
    ),
    "a missing mail without an address: nothing to resend": (
        with_(backup_email=None, backup_email_validated=False),
        NOT_FROZEN,
        "validation_mail_missing",
        Diagnosis(DiagnosisCode.ACCOUNT_OK, NextStep.CHECK_PASSWORD, (OK, "user reports: validation_mail_missing")),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_whole_diagnosis(case: str) -> None:
    account, freeze, reported, expected = CASES[case]
    assert diagnose(account, NOW, RULES, freeze, reported) == expected
