"""Links expire (issue item 4): a lifetime from config, shorter for a chat linked to an ADML's account."""

from __future__ import annotations

from bot.services import Services
from tests.conftest import SettableClock


def test_a_link_expires_after_its_lifetime(services: Services, clock: SettableClock) -> None:
    services.links.link("web:user", "lucas.martin", clock())
    clock.advance(days=29)
    assert services.actor("web:user").linked_account is not None
    clock.advance(days=1, seconds=1)
    assert services.links.linked_login("web:user") is None
    assert services.actor("web:user").linked_account is None


def test_an_adml_link_expires_within_a_working_day(services: Services, clock: SettableClock) -> None:
    services.links.link("telegram:adml", "isabelle.roux", clock())
    services.links.link("telegram:user", "lucas.martin", clock())
    clock.advance(hours=11)
    assert services.links.senders_linked_to(["isabelle.roux"]) == [("telegram:adml", "isabelle.roux")]
    clock.advance(hours=1, seconds=1)
    assert services.links.linked_login("telegram:adml") is None
    assert services.links.senders_linked_to(["isabelle.roux"]) == []  # no reset requests reach a stale link
    assert services.links.linked_login("telegram:user") == "lucas.martin"


def test_the_purge_forgets_expired_links(services: Services, clock: SettableClock) -> None:
    from sqlalchemy import func, select

    from bot.scheduler import purge
    from bot.storage.models import AccountLink

    services.links.link("web:old", "lucas.martin", clock())
    retention = services.config.assistant.transcript_retention_days
    clock.advance(days=30 + retention + 1)
    services.links.link("web:new", "chloe.bernard", clock())
    purge(services)
    with services.sessions() as session:
        assert session.scalars(select(AccountLink.sender_id)).all() == ["web:new"]
        assert session.scalar(select(func.count()).select_from(AccountLink)) == 1
