"""Opting in to notices and out, as whole conversations (`Assistant.handle`): `/abonner` and `/desabonner` as the
Telegram channel sends them, and their buttons."""

from __future__ import annotations

from bot.services import Services
from bot.services.assistant import Assistant
from tests.conftest import Chat, SettableClock
from tests.operations.conftest import audit_rows


def test_a_chat_not_linked_is_asked_to_verify_its_account_first(assistant: Assistant, services: Services) -> None:
    chat = Chat(assistant, "telegram:5001")
    chat.say("/subscribe")
    assert "je dois d'abord vérifier que votre compte ENT est le vôtre" in chat.text
    assert not services.notices.is_subscribed("telegram:5001")
    chat.click("Vérifier mon compte")
    assert "identifiant" in chat.text  # the linking starts


def test_a_linked_user_opts_in_once_and_opts_out_with_the_button(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    services.links.link("telegram:5001", "lucas.martin", clock())
    chat = Chat(assistant, "telegram:5001")
    chat.say("/subscribe")
    assert chat.text.startswith("C'est noté : je vous préviendrai ici avant une coupure annoncée")
    assert "chaque semaine" not in chat.text  # not an ADML: no digest promised
    assert services.notices.is_subscribed("telegram:5001")
    chat.say("/subscribe")
    assert "reçoit déjà mes messages d'information" in chat.text
    chat.click("Me désabonner")
    assert chat.text.startswith("C'est fait : vous ne recevrez plus mes messages d'information")
    assert not services.notices.is_subscribed("telegram:5001")
    chat.say("/unsubscribe")
    assert "ne reçoit pas mes messages d'information" in chat.text
    assert [(r[0], r[1], r[4]) for r in audit_rows(services, "subscribe_notices")] == [
        ("telegram:5001", "lucas.martin", "done")
    ]
    assert len(audit_rows(services, "unsubscribe_notices")) == 1


def test_an_adml_is_told_the_weekly_digest_comes_with_the_same_opt_in(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    services.links.link("telegram:6001", "isabelle.roux", clock())
    chat = Chat(assistant, "telegram:6001")
    chat.say("/subscribe")
    assert "chaque semaine le nombre de comptes pas encore activés de votre établissement" in chat.text
    assert services.notices.is_subscribed("telegram:6001")


def test_a_web_chat_is_told_notices_come_on_telegram(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    services.links.link("web:p0123", "lucas.martin", clock())
    chat = Chat(assistant, "web:p0123")
    chat.say("/subscribe")
    assert "sont envoyés sur Telegram" in chat.text
    assert services.notices.subscribers() == []


def test_help_names_the_command(assistant: Assistant) -> None:
    chat = Chat(assistant, "telegram:5001")
    chat.say("/help")
    assert "/abonner" in chat.text
