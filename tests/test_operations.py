"""Operations as users meet them: authorised, rate-limited, audited, never leaking an account."""

from __future__ import annotations

from bot.config import AppConfig
from bot.core.authz import Actor
from bot.mail.capture import CaptureMailer
from bot.mail.port import Mail, MailError
from bot.nlu.model import NluModel
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.operations import Operations
from tests.conftest import Chat, SettableClock
from tests.support.expect import present


class DownMailer:
    instantaneous = True

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.down = True

    def send(self, mail: Mail) -> None:
        if self.down:
            raise MailError("SMTP 127.0.0.1:25: connection refused")
        self.sent.append(mail)


def resend_for(assistant: Assistant, sender: str, login: str) -> str:
    """A resend asked by a chat; a linked chat is not asked its identifier again.

    The request is an intent payload: these tests check who is told what, not the classifier's reading."""
    chat = Chat(assistant, sender)
    chat.say("/resend_activation")
    if "identifiant" in chat.text:
        chat.say(login)
    return chat.text


def test_resend_answers_alike_for_existing_and_unknown_identifiers(assistant: Assistant, services: Services) -> None:
    existing = resend_for(assistant, "web:a", "lucas.martin")
    unknown = resend_for(assistant, "web:b", "personne.inconnue")
    assert existing == unknown
    assert "lucas" not in existing and "@" not in existing
    outcomes = [(e.target, e.outcome) for e in services.audit.recent() if e.operation == "resend_validation_link"]
    assert ("lucas.martin", "done") in outcomes and ("personne.inconnue", "unknown_target") in outcomes


def test_an_unlinked_chat_never_sees_personal_data(assistant: Assistant) -> None:
    chat = Chat(assistant, "web:curious")
    for text in ("/cannot_login", "isabelle.roux", '/request_reset{"username": "isabelle.roux"}'):
        chat.say(text)
        for secret in ("Isabelle", "Roux", "i.roux@", "i***x", "Jean Moulin", "0750001A"):
            assert secret not in chat.text, (text, chat.text)


def test_a_linked_owner_sees_the_masked_address(assistant: Assistant, services: Services, clock: SettableClock) -> None:
    services.links.link("web:owner", "lucas.martin", clock())
    text = resend_for(assistant, "web:owner", "lucas.martin")
    assert "l***n@e***.org" in text and "lucas.martin@example.org" not in text


def test_resend_cooldown_and_per_chat_limits_change_nothing(
    assistant: Assistant, services: Services, clock: SettableClock, mailer: CaptureMailer
) -> None:
    services.links.link("web:c", "lucas.martin", clock())  # the owner: told to wait
    first = resend_for(assistant, "web:c", "lucas.martin")
    assert "C'est fait" in first and len(mailer.sent) == 1
    again = resend_for(assistant, "web:c", "lucas.martin")
    assert "Patientez" in again and len(mailer.sent) == 1
    stranger = resend_for(assistant, "web:stranger", "lucas.martin")  # a stranger: the usual words
    assert stranger == resend_for(assistant, "web:other", "personne.inconnue") and len(mailer.sent) == 1
    clock.advance(seconds=61)
    assert "C'est fait" in resend_for(assistant, "web:c", "lucas.martin") and len(mailer.sent) == 2
    outcomes = [e.outcome for e in services.audit.recent() if e.target == "lucas.martin"]
    assert outcomes.count("done") == 2 and outcomes.count("rate_limited") == 2


def test_lookups_are_rate_limited_per_chat(assistant: Assistant, services: Services) -> None:
    chat = Chat(assistant, "web:scanner")
    limit = services.config.rate_limits.lookups_per_chat.count
    for number in range(limit):
        chat.say("/cannot_login")
        chat.say(f"eleve.numero{number}")
        assert "Je ne trouve pas" in chat.text
    chat.say("/cannot_login")
    chat.say("lucas.martin")
    assert "Trop de recherches" in chat.text


def test_a_refusal_says_why_changes_nothing_and_is_audited(services: Services) -> None:
    operations = Operations(services)
    stranger = Actor("web:x")
    before = services.directory.find_account("lucas.martin")
    result = operations.reset_password(stranger, "web", "lucas.martin")
    assert (result.status, result.reason, result.provisional_password) == ("refused", "not_linked", None)
    assert services.directory.find_account("lucas.martin") == before
    (entry,) = [e for e in services.audit.recent() if e.operation == "reset_password"]
    assert (entry.outcome, entry.target, entry.actor) == ("refused", "lucas.martin", "web:x")


def test_a_mail_server_that_is_down_loses_nothing_and_the_owner_is_told(
    config: AppConfig,
    clock: SettableClock,
    database_url: str,
    nlu: NluModel,
) -> None:
    from bot.bootstrap import build_assistant, build_services
    from bot.directory.fixture import load_fixture
    from tests.conftest import ROOT

    mailer = DownMailer()
    services = build_services(config, clock=clock, database_url=database_url, mailer=mailer)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    services.links.link("web:owner", "chloe.bernard", clock())
    text = resend_for(build_assistant(services, nlu), "web:owner", "chloe.bernard")
    assert "C'est fait" in text and "partira dès que possible" in text
    assert services.outbox.pending() == 1 and mailer.sent == []
    mailer.down = False
    clock.advance(minutes=2)
    assert services.outbox.deliver_due() == 1
    assert [m.recipient for m in mailer.sent] == ["chloe.b@example.org"]
    services.database.dispose()


def test_misunderstood_messages_are_kept_redacted_for_review(assistant: Assistant, services: Services) -> None:
    from sqlalchemy import select

    from bot.storage.models import NluMiss

    chat = Chat(assistant, "web:lost")
    chat.say("blorp qwerty zut Soleil2024! xyz")
    assert "pas compris" in chat.text and chat.last is not None and chat.last.messages[-1].buttons
    assert "ne communiquez jamais votre mot de passe" in chat.text
    with services.sessions() as session:
        misses = session.scalars(select(NluMiss.text)).all()
    assert misses and "Soleil2024!" not in misses[-1] and "blorp" in misses[-1]


def test_reset_and_unlock_requests_tell_an_unlinked_chat_nothing_about_the_account(assistant: Assistant) -> None:
    answers = set()
    for login in ("marie.dupont", "personne.inconnue"):
        for payload in (f'/unlock_account{{"username": "{login}"}}', f'/request_reset{{"username": "{login}"}}'):
            chat = Chat(assistant, f"web:probe-{login}")
            chat.say(payload)
            answers.add((payload.split("{")[0], chat.text))
    assert len(answers) == 2  # one answer per command, whatever the login


def test_an_adml_cannot_approve_their_own_reset_request(services: Services, clock: SettableClock) -> None:
    operations = Operations(services)
    request = services.reset_requests.create("isabelle.roux", "0750001A", "telegram:6001", clock())
    services.links.link("telegram:6001", "isabelle.roux", clock())
    result = operations.decide_reset_request(services.actor("telegram:6001"), "telegram", request.id, approved=True)
    assert (result.status, result.reason, result.provisional_password) == ("refused", "own_request", None)
    assert present(services.reset_requests.get(request.id)).status == "pending"


def test_a_reset_request_is_decided_once_even_by_two_admls_at_the_same_time(
    services: Services, clock: SettableClock
) -> None:
    request = services.reset_requests.create("lucas.martin", "0750001A", "telegram:5001", clock())
    assert services.reset_requests.claim(request.id, "telegram:6001") is True
    assert services.reset_requests.claim(request.id, "telegram:6003") is False
    services.reset_requests.release(request.id)
    assert services.reset_requests.claim(request.id, "telegram:6003") is True


def test_a_linked_owner_is_told_why_nothing_was_sent(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    services.links.link("web:owner2", "marie.dupont2", clock())  # backup address already validated
    text = resend_for(assistant, "web:owner2", "marie.dupont2")
    assert "déjà validée" in text and "C'est fait" not in text


def test_code_guessing_is_capped_per_account_and_per_day_without_telling(
    services: Services,
    clock: SettableClock,
    mailer: CaptureMailer,
) -> None:
    operations = Operations(services)
    for number in range(4):  # 4 codes × 5 wrong tries = the 20 failures a day allowed
        clock.advance(minutes=1)  # past the per-minute limits
        guesser = Actor(f"web:guess{number}")
        assert operations.start_link(guesser, "web", "lucas.martin").status == "code_sent"
        for _ in range(5):
            operations.complete_link(guesser, "web", "000000" if "000000" not in mailer.sent[-1].body else "111111")
    sent = len(mailer.sent)
    clock.advance(minutes=1)
    assert operations.start_link(Actor("web:guess9"), "web", "lucas.martin").status == "code_sent"  # same words
    assert len(mailer.sent) == sent  # but no code
    clock.advance(days=1)
    assert operations.start_link(Actor("web:owner"), "web", "lucas.martin").status == "code_sent"
    assert len(mailer.sent) == sent + 1
