"""Resends without a conversation: the validation link and the activation mail, their refusals and cooldown.

What the account holder and an auditor notice: the mail that leaves (to which address, for which ENT, with a
link that works for as long as the ENT says), the masked address the chat may show, a refusal and its reason,
and the audit row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import cast

import pytest

from bot.config import AppConfig
from bot.core.accounts import Account, AccountState, Profile
from bot.core.authz import Actor
from bot.directory.fixture import DirectoryFixture
from bot.mail.capture import CaptureMailer
from bot.mail.outbox import MailOutbox
from bot.mail.templates import compose
from bot.placeholders import fill
from bot.services import Services
from bot.services.operations import Operations
from bot.storage.audit import AuditLog
from tests.conftest import SettableClock, demo_directory
from tests.operations.conftest import AuditFailingOn, FlakyMailer, audit_rows

ANYONE = Actor("web:anyone")  # a resend goes to an address on file: no link needed


@pytest.fixture
def operations(services: Services) -> Operations:
    return Operations(services)


def link_token(body: str, services: Services) -> str:
    public = str(services.config.web.public_url).rstrip("/")
    match = re.search(re.escape(public) + r"/adresse/valider\?jeton=(\S+)", body)
    assert match, body
    return match.group(1)


def with_config(services: Services, config: AppConfig) -> Services:
    return dataclasses.replace(services, config=config)


def with_link_hours(config: AppConfig, tenant: str, hours: int) -> AppConfig:
    tenants = dict(config.tenants)
    tenants[tenant] = tenants[tenant].model_copy(update={"validation_link_hours": hours})
    return config.model_copy(update={"tenants": tenants})


# -- the validation link ----------------------------------------------------------------------------------------
def test_a_validation_link_goes_to_the_backup_address_and_validates_it_for_48_hours(
    operations: Operations, services: Services, mailer: CaptureMailer, clock: SettableClock
) -> None:
    result = operations.resend_validation_link(ANYONE, "web", " Lucas.Martin ")
    assert (result.status, result.masked_address, result.mail_sent_now) == ("done", "l***n@e***.org", True)
    (mail,) = mailer.sent
    assert mail.recipient == "lucas.martin@example.org"
    assert services.config.tenant("monlycee").name in mail.subject and "lucas.martin" in mail.body
    assert audit_rows(services, "resend_validation_link") == [("web:anyone", None, "web", "lucas.martin", "done", None)]
    token = link_token(mail.body, services)
    assert re.search(r"\b48\b", mail.body.replace(token, ""))  # the lifetime the holder reads
    sent = clock()
    assert services.activation.validate_backup_address(token, sent + dt.timedelta(hours=48)) is None  # dead
    assert services.activation.validate_backup_address(token, sent + dt.timedelta(hours=47, minutes=59)) == (
        "lucas.martin"
    )
    account = services.directory.find_account("lucas.martin")
    assert account is not None and account.backup_email_validated


def test_the_link_lives_as_long_as_the_accounts_ent_says(
    services: Services, mailer: CaptureMailer, clock: SettableClock, config: AppConfig
) -> None:
    """jules.faure is a netocentre account: its link follows netocentre's `validation_link_hours`."""
    shorter = with_config(services, with_link_hours(config, "netocentre", 24))
    assert Operations(shorter).resend_validation_link(ANYONE, "web", "jules.faure").done
    (mail,) = mailer.sent
    token = link_token(mail.body, services)
    assert config.tenant("netocentre").name in mail.subject and re.search(r"\b24\b", mail.body.replace(token, ""))
    assert services.activation.validate_backup_address(token, clock() + dt.timedelta(hours=24)) is None
    assert services.activation.validate_backup_address(token, clock() + dt.timedelta(hours=23)) == "jules.faure"


@pytest.mark.parametrize(
    ("login", "status", "reason", "target"),
    [
        ("marie.dupont2", "refused", "already_validated", "marie.dupont2"),
        ("marie.dupont", "refused", "no_address_on_file", "marie.dupont"),
        ("nathan.moreau", "refused", "account_disabled", "nathan.moreau"),
        ("Personne.Inconnue", "unknown_target", "unknown_account", "personne.inconnue"),
    ],
)
def test_a_refused_resend_sends_nothing_and_says_why(
    operations: Operations,
    services: Services,
    mailer: CaptureMailer,
    login: str,
    status: str,
    reason: str,
    target: str,
) -> None:
    result = operations.resend_validation_link(ANYONE, "web", login)
    assert (result.status, result.reason, result.masked_address) == (status, reason, None)
    assert mailer.sent == []
    detail = reason if status == "refused" else None
    assert audit_rows(services, "resend_validation_link") == [("web:anyone", None, "web", target, status, detail)]


# -- one mail a minute per account ------------------------------------------------------------------------------
def test_a_second_resend_within_a_minute_waits(
    operations: Operations, services: Services, mailer: CaptureMailer, clock: SettableClock
) -> None:
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    again = operations.resend_validation_link(Actor("web:other"), "web", "lucas.martin")
    assert (again.status, again.reason) == ("rate_limited", "cooldown")
    assert len(mailer.sent) == 1
    assert audit_rows(services, "resend_validation_link")[-1] == (
        "web:other",
        None,
        "web",
        "lucas.martin",
        "rate_limited",
        "cooldown",
    )
    assert operations.resend_validation_link(ANYONE, "web", "chloe.bernard").done  # another account: no wait
    clock.advance(seconds=61)
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert [m.recipient for m in mailer.sent] == [
        "lucas.martin@example.org",
        "chloe.b@example.org",
        "lucas.martin@example.org",
    ]


def test_the_cooldown_holds_across_a_minute_boundary(
    operations: Operations, mailer: CaptureMailer, clock: SettableClock
) -> None:
    clock.advance(seconds=50)
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    clock.advance(seconds=20)  # another minute on the clock, 20 seconds after the mail
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").reason == "cooldown"
    assert len(mailer.sent) == 1


def test_without_a_cooldown_every_resend_leaves(services: Services, mailer: CaptureMailer, config: AppConfig) -> None:
    limits = config.rate_limits.model_copy(update={"resend_cooldown_seconds": 0})
    operations = Operations(with_config(services, config.model_copy(update={"rate_limits": limits})))
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert len(mailer.sent) == 2


# -- a mail server that is down -----------------------------------------------------------------------------------
def test_a_link_kept_for_a_mail_server_that_is_down_leaves_with_it_or_not_at_all(
    services: Services, clock: SettableClock
) -> None:
    flaky = FlakyMailer()
    down = dataclasses.replace(
        services, outbox=MailOutbox(services.sessions, flaky, services.config.mail.retry_minutes, clock)
    )
    result = Operations(down).resend_validation_link(ANYONE, "web", "lucas.martin")
    assert (result.status, result.mail_sent_now, result.masked_address) == ("done", False, "l***n@e***.org")
    assert audit_rows(services, "resend_validation_link") == [
        ("web:anyone", None, "web", "lucas.martin", "done", "queued for retry")
    ]
    flaky.down = False
    clock.advance(hours=48)  # the link is dead by now: its mail is not sent
    assert down.outbox.deliver_due() == 0 and flaky.sent == []
    assert Operations(down).resend_activation_mail(ANYONE, "web", "sophie.garnier").mail_sent_now


# -- the activation mail -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("login", "address", "tenant", "other"),
    [
        ("sophie.garnier", "sophie.garnier@example.org", "monlycee", "netocentre"),
        ("ines.muller", "ines.muller@example.org", "netocentre", "monlycee"),
    ],
)
def test_an_activation_mail_brings_the_steps_of_the_accounts_ent(
    operations: Operations,
    services: Services,
    mailer: CaptureMailer,
    login: str,
    address: str,
    tenant: str,
    other: str,
) -> None:
    result = operations.resend_activation_mail(ANYONE, "web", login)
    assert result.done and result.masked_address is not None and result.masked_address.endswith("@e***.org")
    (mail,) = mailer.sent
    facts = services.mail_facts(tenant)
    assert mail.recipient == address and facts["ent_name"] in mail.subject and login in mail.body
    assert facts["ent_url"] in mail.body

    def steps(of: str) -> str:
        article = services.knowledge.choose("ask_activation_howto", of).article
        assert article is not None
        return fill(article.answer, services.mail_facts(of))

    assert steps(tenant) in mail.body and steps(other) not in mail.body
    assert audit_rows(services, "resend_activation_mail") == [("web:anyone", None, "web", login, "done", None)]


@pytest.mark.parametrize(
    ("login", "reason"),
    [("lucas.martin", "not_provisional"), ("marie.dupont", "no_address_on_file")],
)
def test_an_activation_mail_only_for_an_account_never_activated_with_an_address(
    operations: Operations, services: Services, mailer: CaptureMailer, login: str, reason: str
) -> None:
    result = operations.resend_activation_mail(ANYONE, "web", login)
    assert (result.status, result.reason) == ("refused", reason) and mailer.sent == []
    assert audit_rows(services, "resend_activation_mail") == [("web:anyone", None, "web", login, "refused", reason)]


def test_the_activation_mail_has_its_own_cooldown(operations: Operations, mailer: CaptureMailer) -> None:
    assert operations.resend_activation_mail(ANYONE, "web", "sophie.garnier").done
    assert operations.resend_activation_mail(ANYONE, "web", "sophie.garnier").reason == "cooldown"
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert len(mailer.sent) == 2


def test_a_resend_a_minute_after_the_last_one_leaves(
    operations: Operations, mailer: CaptureMailer, clock: SettableClock
) -> None:
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    clock.advance(seconds=60)
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert len(mailer.sent) == 2


def test_a_one_second_cooldown_still_holds(services: Services, mailer: CaptureMailer, config: AppConfig) -> None:
    limits = config.rate_limits.model_copy(update={"resend_cooldown_seconds": 1})
    operations = Operations(with_config(services, config.model_copy(update={"rate_limits": limits})))
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").done
    assert operations.resend_validation_link(ANYONE, "web", "lucas.martin").reason == "cooldown"
    assert len(mailer.sent) == 1


def test_the_cooldown_is_claimed_before_the_audit_keeps_the_resend(services: Services, mailer: CaptureMailer) -> None:
    """Two resends at once: the audit row of the first is not there yet for the second to see (here it is never
    written); the claim on the cooldown lets one mail leave, not two."""
    unaudited = Operations(dataclasses.replace(services, audit=cast(AuditLog, AuditFailingOn(services.audit, "done"))))
    with pytest.raises(RuntimeError):
        unaudited.resend_validation_link(ANYONE, "web", "lucas.martin")
    assert unaudited.resend_validation_link(Actor("web:other"), "web", "lucas.martin").reason == "cooldown"
    assert len(mailer.sent) == 1


def test_an_account_of_a_school_no_ent_knows_gets_the_mail_without_steps(
    services: Services, mailer: CaptureMailer
) -> None:
    """A school of no configured department, unknown to the directory: the first ENT's name, no steps to follow."""
    directory = demo_directory()
    marseille = Account(
        login="lou.marin",
        profile=Profile.STUDENT,
        state=AccountState.PROVISIONAL,
        uai="0130001A",
        backup_email="lou.marin@example.org",
    )
    services.directory.load_fixture(DirectoryFixture(directory.establishments, (*directory.accounts, marseille)))
    assert Operations(services).resend_activation_mail(ANYONE, "web", "lou.marin").done
    facts = services.mail_facts(None)
    assert mailer.sent == [
        compose(
            "activation_reminder",
            "lou.marin@example.org",
            {"ent_name": facts["ent_name"], "ent_url": facts["ent_url"], "login": "lou.marin", "activation_steps": ""},
        )
    ]
