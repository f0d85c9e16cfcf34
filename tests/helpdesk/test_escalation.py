"""End to end, against each helpdesk: a conversation escalates, the ticket appears there with the redacted
transcript, the user's later messages become followups, agents' public answers reach the chat (never a private
one, never twice, across a restart), and a ticket solved or closed there closes here and asks the rating."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.scheduler import purge
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.helpdesk_sync import HelpdeskSync
from bot.storage.helpdesk_tickets import HelpdeskTicketStore
from tests.conftest import Chat, SettableClock
from tests.support.helpdesks import Helpdesk
from tests.support.helpdesks.glpi_fake import GlpiData
from tests.support.helpdesks.zammad_fake import ZammadData

SENDER = "web:helpdesk-user"


def _inbox(services: Services) -> list[str]:
    return [m.text for m in services.relay.take(SENDER)]


def test_an_escalation_lives_in_the_helpdesk_and_comes_back_to_the_chat(
    assistant: Assistant, services: Services, desk: Helpdesk
) -> None:
    services.helpdesk = desk.system
    chat = Chat(assistant, SENDER)
    chat.say("je n'arrive pas a me connecter avec le mot de passe Soleil2024!")
    chat.say("je veux parler a un conseiller")
    ticket = services.tickets.open_for(SENDER)
    assert ticket is not None

    assert HelpdeskSync(services, desk.system).run().created == 1
    link = HelpdeskTicketStore(services.sessions).get(ticket.id)
    assert link is not None
    seen = asyncio.run(desk.agent.read(link.external_id))
    assert f"n°{ticket.id}" in seen.title
    assert "parler a un conseiller" in seen.content and "me connecter" in seen.content
    assert "Soleil2024" not in seen.content

    chat.say("mon mdp est Azerty123! et ça ne marche toujours pas")
    assert HelpdeskSync(services, desk.system).run().followups_sent == 1
    (followup,) = asyncio.run(desk.agent.read(link.external_id)).followups
    assert followup[1] and "ne marche toujours pas" in followup[0] and "Azerty123" not in followup[0]

    asyncio.run(desk.agent.answer(link.external_id, "Note : compte vérifié dans l'annuaire", public=False))
    asyncio.run(desk.agent.answer(link.external_id, "Votre compte est débloqué, réessayez.", public=True))
    _inbox(services)  # what the chat's own turns left there
    assert HelpdeskSync(services, desk.system).run().relayed == 1
    assert _inbox(services) == [f"Conseiller (demande n°{ticket.id}) : Votre compte est débloqué, réessayez."]
    restarted = HelpdeskSync(services, desk.system)  # a new process: what was relayed is not relayed again
    assert restarted.run().relayed == 0 and _inbox(services) == []

    asyncio.run(desk.agent.finish(link.external_id))
    assert HelpdeskSync(services, desk.system).run().closed == 1
    closed = services.tickets.get(ticket.id)
    assert closed is not None and closed.status == "closed"
    (rating,) = services.relay.take(SENDER)
    assert "est close" in rating.text and [b.title for b in rating.buttons] == ["1", "2", "3", "4", "5"]
    assert HelpdeskSync(services, desk.system).run().closed == 0 and _inbox(services) == []
    chat.say(rating.buttons[3].payload)
    rated = services.tickets.get(ticket.id)
    assert rated is not None and rated.rating == 4


def test_a_helpdesk_out_of_reach_loses_nothing(assistant: Assistant, services: Services, desk: Helpdesk) -> None:
    services.helpdesk = desk.system
    chat = Chat(assistant, SENDER)
    chat.say("je veux parler a un conseiller")
    ticket = services.tickets.open_for(SENDER)
    assert ticket is not None
    unreachable = dataclasses.replace(desk.system, **_nowhere(desk))  # type: ignore[type-var]
    assert HelpdeskSync(services, unreachable).run().created == 0
    assert HelpdeskTicketStore(services.sessions).get(ticket.id) is None
    assert HelpdeskSync(services, desk.system).run().created == 1  # the next run, once it answers again


def _nowhere(desk: Helpdesk) -> dict[str, object]:
    """The adapter's address changed to a closed port of 127.0.0.1."""
    if desk.kind == "glpi":
        return {"api_url": "http://127.0.0.1:9/apirest.php", "timeout_seconds": 2.0}
    return {"url": "http://127.0.0.1:9", "timeout_seconds": 2.0}


def test_more_open_tickets_than_a_run_reads_are_all_read_in_turn(
    assistant: Assistant, services: Services, desk: Helpdesk, clock: SettableClock
) -> None:
    services.helpdesk = desk.system
    senders = [f"web:many-{n}" for n in range(3)]
    for sender in senders:
        Chat(assistant, sender).say("je veux parler a un conseiller")
    sync = HelpdeskSync(services, desk.system)
    sync.limit = 2  # helpdesk.tickets_per_run
    assert sync.run().created == 2 and sync.run().created == 1
    links = HelpdeskTicketStore(services.sessions)
    answers = ["Bonjour Alice", "Bonjour Bruno", "Bonjour Chloé"]
    for sender, answer in zip(senders, answers, strict=True):
        ticket = services.tickets.open_for(sender)
        link = links.get(ticket.id) if ticket else None
        assert link is not None
        asyncio.run(desk.agent.answer(link.external_id, answer, public=True))
    relayed = []
    for _ in range(2):
        clock.advance(minutes=1)  # the job's next run
        relayed.append(sync.run().relayed)
    assert relayed == [2, 1]
    assert [[m.text.partition(" : ")[2] for m in services.relay.take(sender)] for sender in senders] == [
        [answer] for answer in answers
    ]


def test_the_requester_is_who_the_directory_knows(services: Services, desk: Helpdesk, clock: SettableClock) -> None:
    services.helpdesk = desk.system
    ticket = services.tickets.open(
        "web:marie", "web", "monlycee", "marie.dupont2", "expired_link", "Lien expiré", "(transcription)", clock()
    )
    assert HelpdeskSync(services, desk.system).run().created == 1
    link = HelpdeskTicketStore(services.sessions).get(ticket.id)
    assert link is not None
    seen = asyncio.run(desk.agent.read(link.external_id))
    assert "Demandeur : Marie Dupont" in seen.content and "Identifiant : marie.dupont2" in seen.content
    if isinstance(desk.fake, ZammadData):  # the customer found (or created) by the validated backup address
        assert desk.fake.tickets[link.external_id]["customer_id"] == desk.fake.customers["marie.d@example.org"]
    if isinstance(desk.fake, GlpiData):  # notified at that address
        notified = desk.fake.tickets[link.external_id]["_users_id_requester_notif"]
        assert notified["alternative_email"] == ["marie.d@example.org"]


def test_a_purged_ticket_takes_its_twins_record_with_it(
    services: Services, desk: Helpdesk, clock: SettableClock
) -> None:
    services.helpdesk = desk.system
    ticket = services.tickets.open("web:old", "web", None, None, None, "Ancienne demande", "(transcription)", clock())
    HelpdeskSync(services, desk.system).run()
    services.tickets.close(ticket.id, clock())
    clock.advance(days=366)  # past ticket_retention_days
    assert purge(services)["tickets"] == 1
    assert HelpdeskTicketStore(services.sessions).get(ticket.id) is None
