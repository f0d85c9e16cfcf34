"""When the ENT is not known yet, one documented policy (`bot.services.container`) answers for every caller,
and the validation-link lifetime always comes from `validation_link_hours` in config.yml."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import build_web_app, start_web
from bot.config import AppConfig, parse_config, read_config_file
from bot.core.diagnosis import DiagnosisCode
from bot.core.freeze import NOT_FROZEN
from bot.directory.fixture import load_fixture
from bot.mail.capture import CaptureMailer
from bot.nlu.model import NluModel
from bot.services import Services
from bot.services.diagnosis import check_account
from tests.conftest import ROOT, SettableClock
from tests.support.processes import free_port


def _config(hours: dict[str, int]) -> AppConfig:
    raw = read_config_file(ROOT / "config.yml")
    for tenant, value in hours.items():
        raw["tenants"][tenant]["validation_link_hours"] = value
    return parse_config(raw)


@pytest.fixture
def longer_links(clock: SettableClock, database_url: str, mailer: CaptureMailer) -> Iterator[Services]:
    """netocentre's links live 72 hours, MonLycée.net's the usual 48."""
    built = build_services(
        _config({"monlycee": 48, "netocentre": 72}), clock=clock, database_url=database_url, mailer=mailer
    )
    built.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    yield built
    built.database.dispose()


def test_an_unknown_ent_gets_what_every_ent_says_alike(longer_links: Services) -> None:
    facts = longer_links.tenant_facts(None)
    assert "ent_name" not in facts and "ent_url" not in facts  # never one ENT's name as if it were the user's
    assert facts["password_min_length"] == "8"  # both ENTs say 8
    assert facts["validation_link_hours"] == "72"  # the longest: a link is never said dead too soon
    assert longer_links.tenant_facts("monlycee")["validation_link_hours"] == "48"
    assert longer_links.mail_facts(None)["ent_name"] == longer_links.tenant_facts("monlycee")["ent_name"]
    assert longer_links.freeze(None) is NOT_FROZEN
    assert longer_links.tenant_rules(None).validation_link_hours == 72


def test_an_account_without_an_ent_is_diagnosed_with_the_configured_lifetime(
    longer_links: Services, clock: SettableClock
) -> None:
    account = longer_links.directory.find_account("pierre.morel")  # Région staff: no school, so no ENT
    assert account is not None and account.uai is None
    sent = dataclasses.replace(
        account,
        backup_email="p.morel@example.org",
        backup_email_validated=False,
        validation_link_sent_at=clock() - dt.timedelta(hours=60),
    )
    check = check_account(longer_links, sent)
    assert check.tenant is None
    assert check.diagnosis.code is DiagnosisCode.VALIDATION_PENDING  # 60 h < 72 h: not yet expired


@pytest.fixture
async def dead_link_page(longer_links: Services, nlu: NluModel) -> AsyncIterator[str]:
    port = free_port()
    runner = await start_web(build_web_app(build_assistant(longer_links, nlu)), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}/adresse/valider?jeton=spent"
    await runner.cleanup()


async def test_the_dead_link_page_states_the_configured_lifetime(dead_link_page: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(dead_link_page) as response:
        assert response.status == 410
        assert "au bout de 72 heures" in await response.text()


def test_the_link_lifetime_is_never_written_in_the_knowledge_as_a_number() -> None:
    for name in ("domain.yml", "web-pages.yml"):
        text = (ROOT / "knowledge" / name).read_text(encoding="utf-8")
        assert "48 heures" not in text and "48 h" not in text, name
