"""The actions' fixtures: the shipped domain, and the demo ADMLs' chats linked with the services installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.dialogue.domain import Domain
from bot.services import Services, current
from tests.actions.rasa import ADML, OTHER_ADML, demo_domain
from tests.conftest import SettableClock


@pytest.fixture(scope="module")
def domain() -> Domain:
    return demo_domain()


@pytest.fixture
def installed(services: Services, clock: SettableClock) -> Iterator[Services]:
    """isabelle.roux (ADML of 0750001A) and claire.lambert (ADML of 0931234B) linked, the services current."""
    services.links.link(ADML, "isabelle.roux", clock())
    services.links.link(OTHER_ADML, "claire.lambert", clock())
    current.install(services)
    yield services
