"""Who may do what to whom: the trust levels of the architecture, as one pure function.

anyone → general answers, resends to addresses already on file, tickets, linking (by a code, or by the ENT's CAS
login); a linked user → their
own account; an ADML (linked, `adml_of` holds the school) → resets, unlocks and lists for their school,
except ADMLs' accounts (their own or a peer's), which only support changes; a support agent → everything.
A refusal carries a reason key that the actions word in plain French.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.accounts import Account, AccountState


class Permission(enum.StrEnum):
    RESEND_VALIDATION_LINK = "resend_validation_link"
    RESEND_ACTIVATION_MAIL = "resend_activation_mail"
    RESET_PASSWORD = "reset_password"
    UNLOCK_ACCOUNT = "unlock_account"
    LINK_ACCOUNT = "link_account"
    LINK_BY_CAS = "link_by_cas"
    NOTIFY_ADML = "notify_adml"
    CREATE_TICKET = "create_ticket"
    VIEW_ACCOUNT = "view_account"
    LIST_UNACTIVATED = "list_unactivated"
    DECIDE_RESET_REQUEST = "decide_reset_request"
    WORK_TICKETS = "work_tickets"


@dataclass(frozen=True)
class Actor:
    sender_id: str
    linked_account: Account | None = None
    is_agent: bool = False
    client_address: str | None = None  # the web client's address, for per-address limits

    def administers(self, uai: str | None) -> bool:
        return uai is not None and self.linked_account is not None and uai in self.linked_account.adml_of


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None


ALLOW = Decision(True)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def may_administer(actor: Actor) -> Decision:
    """Whether `actor` may administer some accounts at all (an agent, or a linked ADML of some school).

    Asked before looking an account up, so that whoever may not act learns nothing about the account.
    """
    if actor.is_agent:
        return ALLOW
    if actor.linked_account is None:
        return _deny("not_linked")
    return ALLOW if actor.linked_account.adml_of else _deny("not_adml")


def _school_admin(actor: Actor, uai: str | None) -> Decision:
    """Agents always; otherwise a linked ADML of `uai`."""
    first = may_administer(actor)
    if not first.allowed or actor.is_agent:
        return first
    if uai is None:
        return _deny("no_school")
    return ALLOW if actor.administers(uai) else _deny("other_school")


def _administer_account(actor: Actor, target: Account) -> Decision:
    """Reset or unlock `target`. The school is checked before anything about the account, so that an
    ADML of another school reads the same refusal whatever its state. An ADML's account (one's own, or
    a peer's: it carries powers on a school) is for support only."""
    school = _school_admin(actor, target.uai)
    if not school.allowed:
        return school
    if not actor.is_agent:
        assert actor.linked_account is not None
        if actor.linked_account.login == target.login:
            return _deny("own_account")
        if target.adml_of:
            return _deny("adml_account")
    return _deny("account_disabled") if target.state is AccountState.DISABLED else ALLOW


def authorise(actor: Actor, permission: Permission, target: Account | None, school_uai: str | None = None) -> Decision:
    """May `actor` apply `permission` to `target` (an account) or to the school `school_uai`?"""
    if permission is Permission.CREATE_TICKET:
        return ALLOW
    if permission is Permission.WORK_TICKETS:
        return ALLOW if actor.is_agent else _deny("agents_only")
    if permission in (Permission.LIST_UNACTIVATED, Permission.DECIDE_RESET_REQUEST):
        return _school_admin(actor, school_uai)
    if target is None:
        return _deny("unknown_account")
    rule = _ACCOUNT_RULES.get(permission)
    if rule is None:
        raise ValueError(f"unknown permission {permission!r}")
    if permission in _REFUSED_ON_A_DISABLED_ACCOUNT and target.state is AccountState.DISABLED:
        return _deny("account_disabled")
    return rule(actor, target)


def _view_account(actor: Actor, target: Account) -> Decision:
    """Agents, the account's owner, and an ADML of its school."""
    if actor.is_agent or (actor.linked_account is not None and actor.linked_account.login == target.login):
        return ALLOW
    if actor.administers(target.uai):
        return ALLOW
    return _deny("not_your_account" if actor.linked_account else "not_linked")


def _resend_validation_link(_actor: Actor, target: Account) -> Decision:
    if not target.backup_email:
        return _deny("no_address_on_file")
    return _deny("already_validated") if target.backup_email_validated else ALLOW


def _resend_activation_mail(_actor: Actor, target: Account) -> Decision:
    if target.state is not AccountState.PROVISIONAL:
        return _deny("not_provisional")
    return ALLOW if target.backup_email else _deny("no_address_on_file")


def _link_account(_actor: Actor, target: Account) -> Decision:
    """Linking sends a code: only to an address the account holder is known to read."""
    has_address = target.ent_mail or (target.backup_email and target.backup_email_validated)
    return ALLOW if has_address else _deny("no_address_on_file")


def _link_by_cas(_actor: Actor, _target: Account) -> Decision:
    """The ENT's CAS vouched for the user: no address needed (a disabled account is refused before)."""
    return ALLOW


def _notify_adml(actor: Actor, target: Account) -> Decision:
    """A linked user asks their school's ADML for help with their own account."""
    if actor.linked_account is None:
        return _deny("not_linked")
    if actor.linked_account.login != target.login:
        return _deny("not_your_account")
    if target.adml_of:
        return _deny("adml_account")  # not to their peers: to support
    return ALLOW if target.uai else _deny("no_school")


_ACCOUNT_RULES: dict[Permission, Callable[[Actor, Account], Decision]] = {
    Permission.VIEW_ACCOUNT: _view_account,
    Permission.RESET_PASSWORD: _administer_account,
    Permission.UNLOCK_ACCOUNT: _administer_account,
    Permission.RESEND_VALIDATION_LINK: _resend_validation_link,
    Permission.RESEND_ACTIVATION_MAIL: _resend_activation_mail,
    Permission.LINK_ACCOUNT: _link_account,
    Permission.LINK_BY_CAS: _link_by_cas,
    Permission.NOTIFY_ADML: _notify_adml,
}
"""The permissions on one account, each to the rule that decides it once the account is known."""

_REFUSED_ON_A_DISABLED_ACCOUNT = frozenset(
    {
        Permission.RESEND_VALIDATION_LINK,
        Permission.RESEND_ACTIVATION_MAIL,
        Permission.LINK_ACCOUNT,
        Permission.LINK_BY_CAS,
        Permission.NOTIFY_ADML,
    }
)
"""Viewing shows a disabled account; resets and unlocks refuse it after the school check (`_administer_account`)."""
