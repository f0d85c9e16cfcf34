"""Resends in the rasa-sdk style: what the chat is told, to whom a mail goes, and what a stranger cannot learn.

A chat that may not see the account (not linked to it, not its school's ADML, not an agent) reads the same
words whether the identifier exists or not, whatever was sent and whatever was refused; the owner, their
school's ADML and agents read where the mail went (masked), why nothing went, or that the mail waits.
"""

from __future__ import annotations

import dataclasses

import pytest
from rasa_sdk.events import SlotSet

from actions.proposals import ActionAffirm, ActionResend
from bot.config import AppConfig
from bot.dialogue.domain import Domain
from bot.mail.capture import CaptureMailer
from bot.mail.outbox import MailOutbox
from bot.services import Services, current
from bot.texts import text
from tests.actions.rasa import ADML, OTHER_ADML, Ran, run, tracker
from tests.conftest import SettableClock
from tests.operations.conftest import FlakyMailer

CLEARED = [SlotSet("proposed_operation", None), SlotSet("problem", None)]


async def resend(sender: str, login: str | None, domain: Domain, **slots: str) -> Ran:
    return await run(ActionResend(), tracker(sender, "resend_activation", {"username": login, **slots}), domain)


async def test_without_an_identifier_it_is_asked(installed: Services, domain: Domain) -> None:
    ran = await resend("web:x", None, domain)
    assert ran.events == [] and ran.responses == ["utter_ask_username"]


async def test_a_stranger_reads_the_same_whether_the_account_exists_or_not(
    installed: Services, domain: Domain, mailer: CaptureMailer
) -> None:
    existing = await resend("web:a", "lucas.martin", domain)
    unknown = await resend("web:b", "personne.inconnue", domain)
    validated = await resend("web:c", "marie.dupont2", domain)  # refused: already validated
    never_activated = await resend("web:d", "sophie.garnier", domain)  # the activation mail, this time
    assert existing.text == unknown.text == validated.text == never_activated.text
    assert existing.responses == ["utter_resend_sent"] and "@" not in existing.text and "***" not in existing.text
    assert existing.events == unknown.events == CLEARED
    assert [m.recipient for m in mailer.sent] == ["lucas.martin@example.org", "sophie.garnier@example.org"]


async def test_a_stranger_meets_the_cooldown_in_the_same_words(installed: Services, domain: Domain) -> None:
    first = await resend("web:a", "lucas.martin", domain)
    again = await resend("web:b", "lucas.martin", domain)
    assert again.text == first.text


async def test_a_busy_chat_is_told_to_wait_whoever_it_asks_about(installed: Services, domain: Domain) -> None:
    for login in ("lucas.martin", "chloe.bernard", "jules.faure", "manon.andre", "personne.inconnue"):
        await resend("web:busy", login, domain)
    assert (await resend("web:busy", "karim.haddad", domain)).responses == ["utter_rate_limited"]


async def test_the_owner_reads_where_the_mail_went(installed: Services, domain: Domain, clock: SettableClock) -> None:
    installed.links.link("web:lucas", "lucas.martin", clock())
    installed.links.link("web:sophie", "sophie.garnier", clock())
    link = await resend("web:lucas", "lucas.martin", domain)
    assert link.responses == ["utter_resend_sent_to"] and "l***n@e***.org" in link.text
    assert link.messages[0]["validation_link_hours"] == "48"  # how long the link lives, said with it
    steps = await resend("web:sophie", "sophie.garnier", domain)
    assert steps.responses == ["utter_activation_mail_sent_to"] and "s***r@e***.org" in steps.text
    again = await resend("web:lucas", "lucas.martin", domain)
    assert again.responses == ["utter_rate_limited"]  # the owner is told the mail just left


async def test_the_owner_is_told_why_nothing_was_sent(
    installed: Services, domain: Domain, clock: SettableClock, mailer: CaptureMailer
) -> None:
    installed.links.link("web:marie", "marie.dupont2", clock())
    ran = await resend("web:marie", "marie.dupont2", domain)
    assert ran.responses == ["utter_refused"] and ran.messages[0]["reason_text"] == text("refusal_already_validated")
    assert ran.events == CLEARED and mailer.sent == []


@pytest.mark.parametrize(
    ("sender", "sees"),
    [(ADML, True), (OTHER_ADML, False), ("web-desk:agent", True)],  # their school's ADML; another's; an agent
)
async def test_who_administers_the_account_sees_it(
    installed: Services, domain: Domain, sender: str, sees: bool
) -> None:
    installed.agent_senders.add("web-desk:agent")
    ran = await resend(sender, "lucas.martin", domain)
    assert ran.responses == (["utter_resend_sent_to"] if sees else ["utter_resend_sent"])


async def test_a_mail_that_waits_for_the_mail_server_is_said_to_the_owner_only(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    down = dataclasses.replace(
        installed, outbox=MailOutbox(installed.sessions, FlakyMailer(), installed.config.mail.retry_minutes, clock)
    )
    current.install(down)
    installed.links.link("web:lucas", "lucas.martin", clock())
    owner = await resend("web:lucas", "lucas.martin", domain)
    assert owner.responses == ["utter_resend_sent_to", "utter_mail_queued"]
    stranger = await resend("web:x", "chloe.bernard", domain)
    assert stranger.responses == ["utter_resend_sent"]


async def test_the_link_lifetime_said_is_the_ents(installed: Services, domain: Domain, config: AppConfig) -> None:
    tenants = dict(config.tenants)
    tenants["netocentre"] = tenants["netocentre"].model_copy(update={"validation_link_hours": 24})
    current.install(dataclasses.replace(installed, config=config.model_copy(update={"tenants": tenants})))
    netocentre = await resend("web:x", "jules.faure", domain, tenant="netocentre")
    unknown_ent = await resend("web:y", "chloe.bernard", domain)
    assert netocentre.messages[0]["validation_link_hours"] == "24"
    assert unknown_ent.messages[0]["validation_link_hours"] == "48"  # not known yet: the longest


async def test_oui_performs_the_resend_proposed(installed: Services, domain: Domain, mailer: CaptureMailer) -> None:
    for proposal, login in (("resend_validation_link", "lucas.martin"), ("resend_activation_mail", "sophie.garnier")):
        slots = {"proposed_operation": proposal, "operation_target": login}
        ran = await run(ActionAffirm(), tracker("web:x", "affirm", slots), domain)
        assert ran.events == [SlotSet("proposed_operation", None)] and ran.responses == ["utter_resend_sent"]
    assert [m.recipient for m in mailer.sent] == ["lucas.martin@example.org", "sophie.garnier@example.org"]
    assert "jeton=" in mailer.sent[0].body and "jeton=" not in mailer.sent[1].body  # a link; the steps
