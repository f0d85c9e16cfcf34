"""Why can't this person log in? Directory facts + clock + tenant rules → a contract diagnosis.

Pure: no I/O. The order of the checks is the order in which causes hide one another:
an unknown or disabled account hides everything; a directory freeze blocks every ENT (CAS) login;
a lock blocks the password; a reset or never-activated account needs its (re-)activation; an active
account whose backup address is not validated has a pending or expired validation link.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from bot.core.accounts import Account, AccountSource, AccountState
from bot.core.freeze import FreezeStatus, FreezeWindowLike


class DiagnosisCode(enum.StrEnum):
    NOT_ACTIVATED = "not_activated"
    RESET_PENDING = "reset_pending"
    VALIDATION_PENDING = "validation_pending"
    LINK_EXPIRED = "link_expired"
    VACATION_FREEZE = "vacation_freeze"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_UNKNOWN = "account_unknown"
    ACCOUNT_OK = "account_ok"
    NOCAS_ELIGIBLE = "nocas_eligible"
    NOCAS_NOT_ELIGIBLE = "nocas_not_eligible"
    NOCAS_PENDING_ARBITRATION = "nocas_pending_arbitration"
    NEEDS_HUMAN = "needs_human"


class NextStep(enum.StrEnum):
    CHECK_IDENTIFIER = "check_identifier"  # typo? ask the school for the identifier
    CONTACT_SCHOOL = "contact_school"  # disabled account: the school or ENT support
    WAIT_END_OF_FREEZE = "wait_end_of_freeze"
    WAIT_FOR_UNLOCK = "wait_for_unlock"
    REACTIVATE = "reactivate"  # "Mon compte a été réinitialisé"
    FIRST_LOGIN = "first_login"  # "Activer mon compte" with the provisional password
    CHECK_SPAM = "check_spam"
    RESEND_VALIDATION_LINK = "resend_validation_link"
    CHECK_PASSWORD = "check_password"  # nothing wrong in the directory
    TALK_TO_HUMAN = "talk_to_human"


@dataclass(frozen=True)
class TenantRules:
    validation_link_hours: int
    freeze_windows: tuple[FreezeWindowLike, ...]
    zone: str


@dataclass(frozen=True)
class Diagnosis:
    code: DiagnosisCode
    next_step: NextStep
    evidence: tuple[str, ...] = field(default_factory=tuple)
    offered_operation: str | None = None  # a contract operation that would fix it
    until: dt.datetime | dt.date | None = None  # end of a freeze, a lock, or a link's validity
    possible_short_freeze: bool = False


LINK_PROBLEMS = frozenset({"link_expired", "validation_mail_missing"})


def diagnose(
    account: Account | None, now: dt.datetime, rules: TenantRules, freeze: FreezeStatus, reported: str | None = None
) -> Diagnosis:
    """The diagnosis of `account` at `now` (aware); `freeze` is the freeze status of the account's ENT today.

    `reported` is the problem the user described (an intent name); it adds evidence, and when the directory
    shows nothing wrong but the user misses a validation mail for an unvalidated address, it offers a resend.
    """
    if account is None:
        return Diagnosis(DiagnosisCode.ACCOUNT_UNKNOWN, NextStep.CHECK_IDENTIFIER, ("no account with this identifier",))
    return (
        _blocked(account, now, freeze)
        or _not_activated(account)
        or _validation_link(account, now, rules)
        or _nothing_wrong(account, freeze, reported)
    )


def _blocked(account: Account, now: dt.datetime, freeze: FreezeStatus) -> Diagnosis | None:
    """What stops every login whatever the password: a disabled account, a directory freeze, a lock."""
    if account.state is AccountState.DISABLED:
        return Diagnosis(DiagnosisCode.ACCOUNT_DISABLED, NextStep.CONTACT_SCHOOL, ("state: disabled",), "create_ticket")
    if freeze.frozen and account.source is AccountSource.ENT:
        return Diagnosis(
            DiagnosisCode.VACATION_FREEZE,
            NextStep.WAIT_END_OF_FREEZE,
            (f"directory freeze ({freeze.reason}) until {freeze.until}",),
            until=freeze.until,
        )
    if account.locked_until is not None and account.locked_until > now:
        return Diagnosis(
            DiagnosisCode.ACCOUNT_LOCKED,
            NextStep.WAIT_FOR_UNLOCK,
            (f"locked until {account.locked_until.isoformat()}",),
            "unlock_account",
            until=account.locked_until,
        )
    return None


def _not_activated(account: Account) -> Diagnosis | None:
    """A reset account to re-activate, or a provisional one whose first login was never done."""
    if account.state is AccountState.RESET:
        return Diagnosis(DiagnosisCode.RESET_PENDING, NextStep.REACTIVATE, ("state: reset, re-activation to do",))
    if account.state is not AccountState.PROVISIONAL:
        return None
    evidence: tuple[str, ...] = ("state: provisional, first login never done",)
    if account.provisional_issued_at is not None:
        evidence += (f"provisional password issued {account.provisional_issued_at.isoformat()}",)
    offer = "resend_activation_mail" if account.backup_email else None
    return Diagnosis(DiagnosisCode.NOT_ACTIVATED, NextStep.FIRST_LOGIN, evidence, offer)


def _validation_link(account: Account, now: dt.datetime, rules: TenantRules) -> Diagnosis | None:
    """An unvalidated backup address whose validation link was sent: still pending, or expired."""
    if not account.backup_email or account.backup_email_validated or account.validation_link_sent_at is None:
        return None
    expires = account.validation_link_sent_at + dt.timedelta(hours=rules.validation_link_hours)
    sent = f"validation link sent {account.validation_link_sent_at.isoformat()}"
    if now < expires:
        code, step, state = DiagnosisCode.VALIDATION_PENDING, NextStep.CHECK_SPAM, "valid until"
    else:
        code, step, state = DiagnosisCode.LINK_EXPIRED, NextStep.RESEND_VALIDATION_LINK, "expired"
    return Diagnosis(code, step, (sent, f"{state} {expires.isoformat()}"), "resend_validation_link", until=expires)


def _nothing_wrong(account: Account, freeze: FreezeStatus, reported: str | None) -> Diagnosis:
    """An active account with nothing wrong on record, unless the user misses a mail for an unvalidated address."""
    holiday = freeze.school_holiday is not None and account.source is AccountSource.ENT
    evidence: tuple[str, ...] = ("state: active, nothing wrong in the directory",)
    if holiday:
        evidence += (f"school holiday: {freeze.school_holiday}",)
    if reported:
        evidence += (f"user reports: {reported}",)
    if reported in LINK_PROBLEMS and account.backup_email and not account.backup_email_validated:
        evidence += ("backup address not validated, no link send time on record",)
        return Diagnosis(
            DiagnosisCode.ACCOUNT_OK,
            NextStep.RESEND_VALIDATION_LINK,
            evidence,
            "resend_validation_link",
            possible_short_freeze=holiday,
        )
    return Diagnosis(DiagnosisCode.ACCOUNT_OK, NextStep.CHECK_PASSWORD, evidence, possible_short_freeze=holiday)
