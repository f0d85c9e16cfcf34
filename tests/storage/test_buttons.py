"""Long button payloads: one row per payload, read back after a restart, purged with the transcripts unless the
button is still being sent."""

from __future__ import annotations

import datetime as dt

from bot.storage.buttons import ButtonPayloadStore
from bot.storage.db import make_engine, session_factory
from tests.conftest import SettableClock

PAYLOAD = '/confirm_reset{"login": "marie.dupont", "proposal": "reset_password"}'


def store(database_url: str, clock: SettableClock) -> ButtonPayloadStore:
    return ButtonPayloadStore(session_factory(make_engine(database_url)), clock)


def test_a_payload_is_kept_once_and_read_back_by_another_store(database_url: str, clock: SettableClock) -> None:
    key = store(database_url, clock).keep(PAYLOAD)
    assert len(key) == 32 and store(database_url, clock).keep(PAYLOAD) == key
    assert store(database_url, clock).get(key) == PAYLOAD
    assert store(database_url, clock).get("0" * 32) is None


def test_the_purge_forgets_old_payloads_but_not_one_sent_again(database_url: str, clock: SettableClock) -> None:
    payloads = store(database_url, clock)
    forgotten = payloads.keep(PAYLOAD)
    sent_again = payloads.keep(PAYLOAD + " ")
    clock.advance(days=80)
    assert payloads.keep(PAYLOAD + " ") == sent_again  # the same button, in a newer conversation
    clock.advance(days=20)
    assert payloads.purge(clock() - dt.timedelta(days=90)) == 1
    assert payloads.get(forgotten) is None
    assert payloads.get(sent_again) == PAYLOAD + " "
