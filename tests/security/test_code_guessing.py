"""Linking codes (issue item 1): guesses bounded per account across every chat, code mails rate-limited per
account, codes stored under a server key, and refusals that read alike for existing and unknown accounts."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.authz import Actor
from bot.mail.capture import CaptureMailer
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.operations import Operations
from bot.storage.models import OneTimeCode
from tests.conftest import Chat, SettableClock
from tests.security.helpers import code_in

DAILY_CAP = 20  # the documented "20 code checks a day per account"


def test_live_codes_in_many_chats_share_one_daily_cap_per_account(
    services: Services, clock: SettableClock, mailer: CaptureMailer
) -> None:
    operations = Operations(services)
    chats = [Actor(f"web:guesser{number}") for number in range(5)]
    codes: dict[str, str] = {}
    for actor in chats:  # each chat holds a live code for the same account
        clock.advance(seconds=61)
        before = len(mailer.sent)
        operations.start_link(actor, "web", "lucas.martin")
        if len(mailer.sent) > before:
            codes[actor.sender_id] = code_in(mailer.sent[-1])
    assert len(codes) == len(chats)
    guessers, last = chats[:-1], chats[-1]
    for actor in guessers:  # 4 chats × 5 wrong codes = the whole day's checks for this account
        for _ in range(5):
            wrong = "000000" if codes[actor.sender_id] != "000000" else "111111"
            operations.complete_link(actor, "web", wrong)
    result, linked = operations.complete_link(last, "web", codes[last.sender_id])  # even the right code now fails
    assert (result.status, linked) == ("refused", None)
    assert services.links.linked_login(last.sender_id) is None


def test_right_codes_count_against_the_cap_too(services: Services, clock: SettableClock, mailer: CaptureMailer) -> None:
    operations = Operations(services)
    for round_ in range(4):  # 4 × (4 wrong + 1 right) = 20 checks
        clock.advance(minutes=2)
        actor = Actor(f"web:owner{round_}")
        operations.start_link(actor, "web", "lucas.martin")
        code = code_in(mailer.sent[-1])
        for _ in range(4):
            operations.complete_link(actor, "web", "000000" if code != "000000" else "111111")
        assert operations.complete_link(actor, "web", code)[1] == "lucas.martin"
    sent = len(mailer.sent)
    clock.advance(minutes=2)
    operations.start_link(Actor("web:fifth"), "web", "lucas.martin")
    assert len(mailer.sent) == sent  # the day's checks are spent


def test_code_mails_to_one_account_are_rate_limited_whoever_asks(
    services: Services, clock: SettableClock, mailer: CaptureMailer
) -> None:
    operations = Operations(services)
    for number in range(10):  # ten chats at the same moment
        operations.start_link(Actor(f"web:burst{number}"), "web", "lucas.martin")
    assert len(mailer.sent) == 1
    for number in range(58):  # then one chat a minute for most of the hour
        clock.advance(seconds=60)
        operations.start_link(Actor(f"web:drip{number}"), "web", "lucas.martin")
    per_hour = services.config.linking.code_mails_per_login[-1].count
    assert len(mailer.sent) == per_hour < 10


def test_the_database_does_not_reveal_a_live_code(services: Services, clock: SettableClock) -> None:
    code = services.links.issue_code(
        "web:owner", "lucas.martin", 6, __import__("datetime").timedelta(minutes=10), clock()
    )
    with services.sessions() as session:
        (stored,) = session.scalars(select(OneTimeCode.code_hash)).all()
    salt = "web:owner"
    recovered = [
        candidate
        for number in range(1_000_000)
        if hashlib.sha256(f"{salt}:{(candidate := str(number).zfill(6))}".encode()).hexdigest() == stored
    ]
    assert recovered == []  # an unkeyed hash of the 10⁶ codes finds nothing
    assert services.links.check_code("web:owner", code, 5, clock())[1] == "lucas.martin"


def test_a_code_checked_under_another_server_key_fails(services: Services, clock: SettableClock) -> None:
    import datetime as dt

    from bot.storage.links import LinkStore

    code = services.links.issue_code("web:owner", "lucas.martin", 6, dt.timedelta(minutes=10), clock())
    stolen_copy = LinkStore(services.sessions, key=b"another key", clock=clock)
    assert stolen_copy.check_code("web:owner", code, 5, clock())[0].value == "wrong"


def test_the_server_key_comes_from_the_environment_or_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage.keys import load_secret_key

    monkeypatch.setenv("CLEF_SECRET_KEY", "from-the-environment")
    assert load_secret_key("CLEF_SECRET_KEY", tmp_path / "key") == b"from-the-environment"
    assert not (tmp_path / "key").exists()
    monkeypatch.delenv("CLEF_SECRET_KEY")
    first = load_secret_key("CLEF_SECRET_KEY", tmp_path / "var" / "key")
    assert len(first) >= 32 and load_secret_key("CLEF_SECRET_KEY", tmp_path / "var" / "key") == first
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "key").st_mode) == 0o600


def _link_attempt(chat: Chat, login: str) -> list[str]:
    chat.say("/link_account")
    chat.say(login)
    answers = [chat.text.replace(login, "LOGIN")]
    for _ in range(5):
        chat.say("123450")
        answers.append(chat.text)
    return answers


def test_code_refusals_read_alike_for_existing_and_unknown_accounts(
    assistant: Assistant, mailer: CaptureMailer
) -> None:
    existing = _link_attempt(Chat(assistant, "web:probe-a"), "lucas.martin")
    assert len(mailer.sent) == 1 and "123450" not in mailer.sent[0].body
    unknown = _link_attempt(Chat(assistant, "web:probe-b"), "personne.inconnue")
    assert existing == unknown
