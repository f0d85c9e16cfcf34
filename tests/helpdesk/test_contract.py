"""The ticket-system port's contract, the same for every adapter: what the assistant relies on of GLPI and Zammad.

Written against the port and the agents' side of the documented API only, so that a deployment can run it against
its real server (tests/support/helpdesks says how)."""

from __future__ import annotations

from bot.helpdesk.port import ExternalState, NewTicket, Requester
from tests.support.helpdesks import Helpdesk

TICKET = NewTicket(
    title="Assistant ENT : demande n°1 (compte bloqué)",
    content="Demandeur : Jean Test\nDiagnostic : compte bloqué\n<script>alert(1)</script> & co",
    requester=Requester("test14", "jean.test@example.org", "Jean Test"),
)


async def test_a_created_ticket_holds_its_title_and_content_as_agents_read_them(desk: Helpdesk) -> None:
    async with desk.system.connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
        assert await helpdesk.state(external_id) is ExternalState.OPEN
    seen = await desk.agent.read(external_id)
    assert seen.title == TICKET.title
    assert seen.content == TICKET.content  # lines kept, markup shown as typed, not run
    assert seen.followups == []


async def test_the_requesters_followups_are_public_and_never_taken_for_an_agents(desk: Helpdesk) -> None:
    async with desk.system.connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
        first = await helpdesk.add_followup(external_id, "Je n'ai toujours pas reçu le mail.")
        second = await helpdesk.add_followup(external_id, "C'est bon, je l'ai.")
        assert second > first
        mine = [f for f in await helpdesk.followups(external_id) if f.id in (first, second)]
    assert [(f.text, f.public, f.by_agent, f.for_the_user) for f in mine] == [
        ("Je n'ai toujours pas reçu le mail.", True, False, False),
        ("C'est bon, je l'ai.", True, False, False),
    ]
    assert (await desk.agent.read(external_id)).followups[-2:] == [
        ("Je n'ai toujours pas reçu le mail.", True),
        ("C'est bon, je l'ai.", True),
    ]


async def test_an_agents_public_answer_is_for_the_user_a_private_one_never(desk: Helpdesk) -> None:
    async with desk.system.connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
    await desk.agent.answer(external_id, "Note interne : vérifier l'annuaire", public=False)
    await desk.agent.answer(external_id, "Bonjour, votre compte est débloqué.", public=True)
    async with desk.system.connect() as helpdesk:
        followups = await helpdesk.followups(external_id)
    assert [f.text for f in followups if f.for_the_user] == ["Bonjour, votre compte est débloqué."]
    assert [f.text for f in followups if f.by_agent and not f.public] == ["Note interne : vérifier l'annuaire"]
    assert [f.id for f in followups] == sorted(f.id for f in followups)


async def test_a_ticket_solved_or_closed_there_is_finished(desk: Helpdesk) -> None:
    async with desk.system.connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
    await desk.agent.finish(external_id)
    async with desk.system.connect() as helpdesk:
        assert (await helpdesk.state(external_id)).finished
