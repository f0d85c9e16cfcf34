"""What every action asks first: who writes, on which channel, for which ENT; how a refusal and a date read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    actor_of,
    channel_of,
    clean_login,
    format_local,
    human_button,
    intent_button,
    known_tenant,
    refuse,
)
from bot.core.accounts import Establishment
from bot.directory.fixture import DirectoryFixture
from bot.services import Services, current
from bot.texts import text
from tests.conftest import SettableClock


@pytest.fixture
def installed(services: Services) -> Iterator[Services]:
    current.install(services)
    yield services


def tracker(sender: str, slots: dict[str, Any] | None = None, metadata: Any = None) -> Tracker:
    latest: dict[str, Any] = {"text": "bonjour", "intent": {"name": "greet", "confidence": 1.0}, "entities": []}
    if metadata is not None:
        latest["metadata"] = metadata
    return Tracker.from_dict({"sender_id": sender, "slots": slots or {}, "latest_message": latest, "events": []})


def test_the_channel_is_the_sender_prefix() -> None:
    assert channel_of(tracker("telegram:5001")) == "telegram"
    assert channel_of(tracker("web:abc:def")) == "web"
    assert channel_of(tracker("sans-prefixe")) == "unknown"


def test_a_refusal_names_its_reason_or_says_it_is_not_allowed() -> None:
    for reason, said in (("other_school", "other_school"), ("no_such_reason", "not_allowed"), (None, "not_allowed")):
        dispatcher = CollectingDispatcher()
        refuse(dispatcher, reason)
        [message] = dispatcher.messages
        assert message["response"] == "utter_refused"
        assert message["reason_text"] == text(f"refusal_{said}")
    assert text("refusal_other_school") == "ce compte n'appartient pas à votre établissement"


def test_dates_read_the_french_way_in_the_assistants_time_zone(installed: Services) -> None:
    assert format_local(dt.datetime(2026, 11, 25, 13, 5, tzinfo=dt.UTC)) == "25/11/2026 à 14h05"
    assert format_local(dt.date(2026, 8, 21)) == "21/08/2026"
    assert format_local("demain") == "demain"


def test_the_actor_carries_the_link_and_the_client_address(installed: Services, clock: SettableClock) -> None:
    installed.links.link("web:lucas", "lucas.martin", clock())
    actor = actor_of(tracker("web:lucas", metadata={"client_address": "127.0.0.9"}))
    assert actor.sender_id == "web:lucas" and actor.client_address == "127.0.0.9"
    assert actor.linked_account is not None and actor.linked_account.login == "lucas.martin"
    assert actor_of(tracker("web:x", metadata={"client_address": 12})).client_address is None
    assert actor_of(tracker("web:x", metadata="not a mapping")).client_address is None


def test_identifiers_in_every_configured_format(installed: Services) -> None:
    assert clean_login("Marie Dupont") == "marie.dupont"
    assert clean_login("TEST14") == "test14"  # the netocentre operator's sample format
    assert clean_login("monlycee.net") is None
    assert clean_login("test14", patterns=[r"[a-z]+\.[a-z]+"]) is None


@pytest.mark.parametrize(
    ("slots", "linked", "tenant"),
    [
        ({"tenant": "netocentre"}, None, "netocentre"),
        ({"tenant": "inconnu", "uai": "0450012D"}, None, "netocentre"),  # an unknown slot value is ignored
        ({"uai": "0750001A"}, None, "monlycee"),
        ({"uai": "0950999Z"}, None, "monlycee"),  # not in the directory: its department says
        ({}, "lea.blanc2", "netocentre"),  # the linked account's school
        ({}, None, None),
    ],
)
def test_the_ent_of_the_conversation(
    installed: Services, clock: SettableClock, slots: dict[str, Any], linked: str | None, tenant: str | None
) -> None:
    if linked:
        installed.links.link("web:who", linked, clock())
    assert known_tenant(tracker("web:who", slots)) == tenant


def test_the_ent_of_a_given_account_wins_over_the_school_slot(installed: Services) -> None:
    account = installed.directory.find_account("lucas.martin")
    assert known_tenant(tracker("web:who", {"uai": "0450012D"}), account) == "monlycee"


def said(sender: str, message: str, slots: dict[str, Any] | None = None) -> Tracker:
    latest = {"text": message, "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    return Tracker.from_dict({"sender_id": sender, "slots": slots or {}, "latest_message": latest, "events": []})


@pytest.mark.parametrize(
    ("message", "tenant"),
    [
        ("mon fils est au lycée Voltaire et il ne peut pas se connecter", "netocentre"),
        ("ma fille est au lycée Jean Moulin", "monlycee"),
        ("il est au lycée Imaginaire", None),  # no such school
        ("bonjour", None),
    ],
)
def test_the_ent_of_a_school_the_message_names(installed: Services, message: str, tenant: str | None) -> None:
    assert known_tenant(said("web:who", message)) == tenant


def test_a_school_named_ambiguously_says_nothing_of_the_ent(installed: Services) -> None:
    schools = (
        Establishment("0750001A", "Lycée Jean Moulin", "monlycee"),
        Establishment("0450001A", "Lycée Jean Moulin", "netocentre"),
    )
    installed.directory.load_fixture(DirectoryFixture(schools, ()))
    assert known_tenant(said("web:who", "il est au lycée jean moulin")) is None


def test_the_directory_knows_a_schools_ent_better_than_its_department(installed: Services) -> None:
    """A school of a netocentre department (045) that the directory attaches to MonLycée.net."""
    schools = (Establishment("0450099Z", "Lycée Rattaché", "monlycee"),)
    installed.directory.load_fixture(DirectoryFixture(schools, ()))
    assert known_tenant(tracker("web:who", {"uai": "0450099Z"})) == "monlycee"
    assert known_tenant(tracker("web:who", {"uai": "0450098Y"})) == "netocentre"  # not in the directory


def test_a_button_names_what_it_starts() -> None:
    assert intent_button("link_account") == {"title": text("intent_label_link_account"), "payload": "/link_account"}
    assert human_button() == {"title": text("intent_label_escalate_human"), "payload": "/escalate_human"}
    assert intent_button("link_account", "Lier")["title"] == "Lier"
