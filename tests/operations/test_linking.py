"""Linking a chat to an account with a one-time code, without a conversation: the code mail, its checks, the caps.

What the account holder and an auditor notice: where the code goes, that it links the chat only while it lives
and only once, that an unknown or refused identifier meets the same answers as a real one (a decoy code), and
that nobody can guess an account's codes at length.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.core.authz import Actor
from bot.mail.capture import CaptureMailer
from bot.mail.outbox import MailOutbox
from bot.services import Services
from bot.services.operations import Operations
from tests.conftest import SettableClock
from tests.operations.conftest import FlakyMailer, audit_rows


@pytest.fixture
def operations(services: Services) -> Operations:
    return Operations(services)


def code_in(mailer: CaptureMailer) -> str:
    match = re.search(r"\b(\d{6})\b", mailer.sent[-1].body)
    assert match, mailer.sent[-1].body
    return match.group(1)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_mailed_to_the_ent_address_links_the_chat(
    operations: Operations, services: Services, mailer: CaptureMailer
) -> None:
    chat = Actor("web:lucas")
    sent = operations.start_link(chat, "web", " Lucas.Martin ")
    assert (sent.status, sent.masked_address, sent.mail_sent_now) == ("code_sent", "l***n@m***.net", True)
    (mail,) = mailer.sent
    assert mail.recipient == "lucas.martin@monlycee.net"  # the backup address is not validated
    assert services.config.tenant("monlycee").name in mail.subject
    assert re.search(r"\b10\b", mail.body)  # the minutes the code lives
    assert audit_rows(services, "link_code_sent") == [("web:lucas", None, "web", "lucas.martin", "done", None)]
    result, login = operations.complete_link(chat, "web", code_in(mailer))
    assert (result.status, login) == ("done", "lucas.martin")
    assert services.links.linked_login("web:lucas") == "lucas.martin"
    assert audit_rows(services, "link_account") == [("web:lucas", None, "web", "lucas.martin", "done", None)]
    again, _ = operations.complete_link(chat, "web", code_in(mailer))
    assert (again.status, again.reason) == ("refused", "no_code")  # a code links once


def test_a_validated_backup_address_gets_the_code(operations: Operations, mailer: CaptureMailer) -> None:
    sent = operations.start_link(Actor("web:marie"), "web", "marie.dupont2")
    assert sent.masked_address == "m***d@e***.org" and mailer.sent[0].recipient == "marie.d@example.org"


def test_a_code_lives_ten_minutes(
    operations: Operations, services: Services, mailer: CaptureMailer, clock: SettableClock
) -> None:
    chat = Actor("web:late")
    operations.start_link(chat, "web", "lucas.martin")
    clock.advance(minutes=10)
    result, login = operations.complete_link(chat, "web", code_in(mailer))
    assert (result.status, result.reason, login) == ("refused", "expired", None)
    assert services.links.linked_login("web:late") is None
    assert audit_rows(services, "link_account") == [("web:late", None, "web", None, "refused", "expired")]


def test_a_wrong_code_is_refused_and_the_right_one_still_works(
    operations: Operations, services: Services, mailer: CaptureMailer
) -> None:
    chat = Actor("web:typo")
    operations.start_link(chat, "web", "lucas.martin")
    code = code_in(mailer)
    wrong, login = operations.complete_link(chat, "web", other_than(code))
    assert (wrong.status, wrong.reason, login) == ("refused", "wrong", None)
    assert audit_rows(services, "link_account") == [("web:typo", None, "web", "lucas.martin", "refused", "wrong")]
    assert operations.complete_link(chat, "web", code)[0].done


@pytest.mark.parametrize(
    ("login", "status"),
    [("personne.inconnue", "unknown_target"), ("nathan.moreau", "refused")],  # unknown; disabled
)
def test_an_unknown_or_refused_identifier_meets_the_answers_of_a_real_one(
    operations: Operations, services: Services, mailer: CaptureMailer, login: str, status: str
) -> None:
    chat = Actor("web:probe")
    assert operations.start_link(chat, "web", login).status == status
    assert mailer.sent == []
    answers = [operations.complete_link(chat, "web", f"{n:06d}")[0].reason for n in range(6)]
    assert answers == ["wrong"] * 4 + ["too_many_attempts", "no_code"]  # as with a real code, then given up
    assert services.links.linked_login("web:probe") is None


def test_a_rate_limited_chat_waits_for_no_code(operations: Operations, mailer: CaptureMailer) -> None:
    chat = Actor("web:busy")
    for login in ["marie.dupont", "chloe.bernard", "hugo.petit", "emma.leroy", "karim.haddad"]:
        operations.reset_password(chat, "web", login)  # five operations this minute
    assert operations.start_link(chat, "web", "lucas.martin").status == "rate_limited"
    assert mailer.sent == []
    assert operations.complete_link(chat, "web", "123456")[0].reason == "no_code"


def test_one_code_mail_a_minute_per_account_whoever_asks(
    operations: Operations, services: Services, mailer: CaptureMailer
) -> None:
    first, second = Actor("web:first"), Actor("web:second")
    operations.start_link(first, "web", "lucas.martin")
    code = code_in(mailer)
    assert operations.start_link(second, "web", "lucas.martin").status == "code_sent"  # the same words...
    assert len(mailer.sent) == 1  # ... but no mail
    assert audit_rows(services, "link_account") == [
        ("web:second", None, "web", "lucas.martin", "rate_limited", "code_mail_cooldown")
    ]
    assert operations.complete_link(second, "web", code)[0].reason == "wrong"  # the other chat's code: a decoy here
    operations.start_link(first, "web", "lucas.martin")  # asked again here: the code already sent still works
    assert operations.complete_link(first, "web", code)[0].done


def test_five_code_mails_an_hour_per_account(
    operations: Operations, mailer: CaptureMailer, clock: SettableClock
) -> None:
    for n in range(6):
        operations.start_link(Actor(f"web:c{n}"), "web", "lucas.martin")
        clock.advance(seconds=61)
    assert len(mailer.sent) == 5
    clock.advance(hours=1)
    operations.start_link(Actor("web:later"), "web", "lucas.martin")
    assert len(mailer.sent) == 6


def test_an_accounts_codes_cannot_be_guessed_at_length(
    operations: Operations, services: Services, mailer: CaptureMailer, clock: SettableClock
) -> None:
    """Twenty checks a day for an account, all chats together: then no more codes, and the same words."""
    for n in range(4):
        chat = Actor(f"web:guess{n}")
        operations.start_link(chat, "web", "lucas.martin")
        for attempt in range(5):
            operations.complete_link(chat, "web", f"{attempt:06d}")
        clock.advance(seconds=61)
    mails = len(mailer.sent)
    owner = Actor("web:owner")
    assert operations.start_link(owner, "web", "lucas.martin").status == "code_sent"
    assert len(mailer.sent) == mails
    assert audit_rows(services, "link_account")[-1] == (
        "web:owner",
        None,
        "web",
        "lucas.martin",
        "rate_limited",
        "too_many_code_checks",
    )
    assert operations.complete_link(owner, "web", "000000")[0].reason == "too_many_attempts"


def test_unlinking_is_audited_once(operations: Operations, services: Services, clock: SettableClock) -> None:
    services.links.link("web:lucas", "lucas.martin", clock())
    assert operations.unlink(services.actor("web:lucas"), "web")
    assert services.links.linked_login("web:lucas") is None
    assert not operations.unlink(services.actor("web:lucas"), "web")
    assert audit_rows(services, "unlink_account") == [
        ("web:lucas", "lucas.martin", "web", "lucas.martin", "done", None)
    ]


def test_the_code_mail_speaks_of_the_accounts_ent(
    operations: Operations, services: Services, mailer: CaptureMailer
) -> None:
    operations.start_link(Actor("web:jules"), "web", "jules.faure")
    (mail,) = mailer.sent
    assert mail.recipient == "jules.faure@netocentre.fr"
    assert services.config.tenant("netocentre").name in mail.subject


def test_two_accounts_get_their_codes_in_the_same_minute(operations: Operations, mailer: CaptureMailer) -> None:
    operations.start_link(Actor("web:a"), "web", "lucas.martin")
    operations.start_link(Actor("web:b"), "web", "chloe.bernard")
    assert [m.recipient for m in mailer.sent] == ["lucas.martin@monlycee.net", "chloe.bernard@monlycee.net"]


def test_a_code_mail_kept_for_a_mail_server_that_is_down_dies_with_its_code(
    services: Services, clock: SettableClock
) -> None:
    flaky = FlakyMailer()
    down = dataclasses.replace(
        services, outbox=MailOutbox(services.sessions, flaky, services.config.mail.retry_minutes, clock)
    )
    sent = Operations(down).start_link(Actor("web:lucas"), "web", "lucas.martin")
    assert (sent.status, sent.mail_sent_now) == ("code_sent", False)
    flaky.down = False
    clock.advance(minutes=10)
    assert down.outbox.deliver_due() == 0 and flaky.sent == []


def test_a_chat_linked_to_an_account_gone_from_the_directory_can_unlink(
    operations: Operations, services: Services, clock: SettableClock
) -> None:
    services.links.link("web:gone", "parti.ailleurs", clock())
    assert operations.unlink(services.actor("web:gone"), "web")
    assert audit_rows(services, "unlink_account") == [("web:gone", None, "web", None, "done", None)]
