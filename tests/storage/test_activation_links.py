"""Backup-address validation links: a resend must not kill a link that still works."""

from __future__ import annotations

import datetime as dt

from bot.services import Services
from tests.conftest import SettableClock

HOURS_48 = dt.timedelta(hours=48)


def _prepare(services: Services, login: str, address: str) -> None:
    with services.sessions.begin() as session:
        from bot.storage.models import ActivationRecord

        record = session.get(ActivationRecord, login) or ActivationRecord(login=login, backup_email_validated=False)
        record.backup_email = address
        session.add(record)


def test_a_resend_keeps_the_earlier_link_working(services: Services, clock: SettableClock) -> None:
    _prepare(services, "chloe.bernard", "chloe.b@example.org")
    owners = services.activation.issue_validation_token("chloe.bernard", "chloe.b@example.org", HOURS_48, clock.now)
    clock.advance(minutes=5)
    services.activation.issue_validation_token(
        "chloe.bernard", "chloe.b@example.org", HOURS_48, clock.now
    )  # a stranger
    assert services.activation.validation_link_alive(owners, clock.now)
    assert services.activation.validate_backup_address(owners, clock.now) == "chloe.bernard"


def test_once_validated_every_link_of_the_account_is_spent(services: Services, clock: SettableClock) -> None:
    _prepare(services, "chloe.bernard", "chloe.b@example.org")
    first = services.activation.issue_validation_token("chloe.bernard", "chloe.b@example.org", HOURS_48, clock.now)
    second = services.activation.issue_validation_token("chloe.bernard", "chloe.b@example.org", HOURS_48, clock.now)
    assert services.activation.validate_backup_address(second, clock.now) == "chloe.bernard"
    assert services.activation.validate_backup_address(first, clock.now) is None


def test_one_reminder_per_address_for_the_link_that_lasts_longest(services: Services, clock: SettableClock) -> None:
    _prepare(services, "chloe.bernard", "chloe.b@example.org")
    start = clock.now
    services.activation.issue_validation_token("chloe.bernard", "chloe.b@example.org", HOURS_48, start)
    services.activation.issue_validation_token(
        "chloe.bernard", "chloe.b@example.org", HOURS_48, start + dt.timedelta(hours=20)
    )
    window = dt.timedelta(hours=12)
    assert services.activation.links_expiring(start + dt.timedelta(hours=40), window) == []
    later = start + dt.timedelta(hours=60)
    assert services.activation.links_expiring(later, window) == [
        ("chloe.bernard", "chloe.b@example.org", start + dt.timedelta(hours=68))
    ]
