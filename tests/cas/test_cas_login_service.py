"""The CAS login's return, for each answer a CAS can give: linked and told, or refused with its reason, told where
a chat is known, audited, nothing linked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.authz import Actor
from bot.core.cas import CasFailure
from bot.services import Services
from bot.services.cas_login import REFUSALS, CasFinish, CasLogin
from bot.storage.links import LinkMethod
from bot.storage.models import AuditEvent
from tests.cas.conftest import use_cas
from tests.cas.fake_cas import FakeCas, service_of, state_of
from tests.conftest import SettableClock

CAS_URL = "https://cas.netocentre.test/cas"
SENDER = "telegram:5001"
STUDENT = {"uid": "F37crou", "ENTPersonLogin": "camille.rousseau", "ESCOUAICourant": "0370034E"}


@pytest.fixture
def cas(services: Services) -> FakeCas:
    use_cas(services, CAS_URL)
    return FakeCas()


def offered(services: Services, sender: str = SENDER) -> str:
    offer = CasLogin(services).offer(Actor(sender), "telegram", "netocentre")
    assert offer is not None
    return offer.url


def told(services: Services, sender: str = SENDER) -> list[str]:
    return [m.text for m in services.relay.take(sender)]


def audit(services: Services) -> list[tuple[str | None, str, str | None]]:
    with services.sessions() as session:
        rows = session.execute(select(AuditEvent.target, AuditEvent.outcome, AuditEvent.detail)).all()
    return [(target, outcome, detail) for target, outcome, detail in rows]


async def test_the_link_goes_to_the_tenants_cas_and_back_here_with_a_fresh_state(
    services: Services, cas: FakeCas
) -> None:
    first, second = offered(services), offered(services)
    assert first.startswith(f"{CAS_URL}/login?service=http%3A%2F%2F127.0.0.1%3A8080%2Fcas%2Fcallback%3Fstate%3D")
    assert state_of(first) != state_of(second)


async def test_a_ticket_the_cas_vouches_for_links_the_chat_and_tells_it(services: Services, cas: FakeCas) -> None:
    url = offered(services)
    ticket = cas.vouch("ST-1", "F37crou", **STUDENT)
    finish = await CasLogin(services, cas).finish(state_of(url), ticket, "198.51.100.7")
    assert finish == CasFinish(SENDER, login="camille.rousseau", tenant="netocentre", adml_of=())
    assert cas.asked == [(CAS_URL, service_of(url), "ST-1")]  # validated for exactly the service it was issued for
    link = services.links.link_of(SENDER)
    assert link is not None and link.method is LinkMethod.CAS
    (message,) = told(services)
    assert "camille.rousseau" in message and "/delier" in message
    assert audit(services)[-1] == ("camille.rousseau", "done", "cas netocentre, ADML of no school per the CAS")


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        ("INVALID_TICKET", "ticket_refused", "déjà servi ou a expiré"),  # a replayed or expired ticket
        ("INVALID_SERVICE", "foreign_service", "un autre service que cet assistant"),
    ],
)
async def test_a_ticket_the_cas_refuses_links_nothing_and_says_why(
    services: Services, cas: FakeCas, code: str, reason: str, words: str
) -> None:
    cas.tickets["ST-2"] = CasFailure(code)
    finish = await CasLogin(services, cas).finish(state_of(offered(services)), "ST-2")
    assert finish.reason == reason and not finish.linked
    assert services.links.link_of(SENDER) is None
    (message,) = told(services)
    assert words in message and "/lier" in message
    assert audit(services)[-1] == (None, "refused", f"cas {reason}")


async def test_a_state_works_once_and_its_second_use_tells_the_chat_nothing(services: Services, cas: FakeCas) -> None:
    state = state_of(offered(services))
    login = CasLogin(services, cas)
    assert (await login.finish(state, cas.vouch("ST-3", "F37crou", **STUDENT))).linked
    told(services)
    again = await login.finish(state, cas.vouch("ST-4", "F37crou", **STUDENT))
    assert again.reason == "used_state"
    assert "déjà servi" in again.message()
    assert told(services) == []  # a reload of the return page sends the chat nothing
    assert [ticket for _, _, ticket in cas.asked] == ["ST-3"]  # the CAS is not asked for a spent state


async def test_an_expired_state_is_refused_without_asking_the_cas(
    services: Services, cas: FakeCas, clock: SettableClock
) -> None:
    url = offered(services)
    clock.advance(minutes=services.config.linking.cas_login_minutes)
    finish = await CasLogin(services, cas).finish(state_of(url), cas.vouch("ST-5", "F37crou", **STUDENT))
    assert finish.reason == "expired_state" and cas.asked == []
    assert services.links.link_of(SENDER) is None
    assert "a expiré" in told(services)[0]


async def test_a_state_never_issued_links_nothing_and_tells_nobody(services: Services, cas: FakeCas) -> None:
    finish = await CasLogin(services, cas).finish("n" * 43, cas.vouch("ST-6", "F37crou", **STUDENT))
    assert finish == CasFinish(None, "unknown_state")
    assert cas.asked == [] and audit(services) == []


async def test_a_return_without_a_ticket_or_with_the_cas_down_is_refused(services: Services, cas: FakeCas) -> None:
    login = CasLogin(services, cas)
    assert (await login.finish(state_of(offered(services)), None)).reason == "no_ticket"
    cas.down = True
    down = await login.finish(state_of(offered(services)), "ST-7")
    assert down.reason == "cas_unavailable" and "joindre l'ENT" in down.message()
    assert services.links.link_of(SENDER) is None


async def test_an_account_the_directory_does_not_hold_is_not_linked(services: Services, cas: FakeCas) -> None:
    ticket = cas.vouch("ST-8", "F99nobody", ENTPersonLogin="personne.inconnue")
    finish = await CasLogin(services, cas).finish(state_of(offered(services)), ticket)
    assert finish.reason == "unknown_account" and services.links.link_of(SENDER) is None
    assert "je ne trouve pas votre compte" in told(services)[0]


async def test_without_a_login_attribute_the_principal_is_the_identifier(services: Services, cas: FakeCas) -> None:
    ticket = cas.vouch("ST-9", "jules.faure", ESCOUAI="0450012D")
    assert (await CasLogin(services, cas).finish(state_of(offered(services)), ticket)).login == "jules.faure"


async def test_a_cas_vouches_only_for_the_accounts_of_its_own_ent(services: Services, cas: FakeCas) -> None:
    ticket = cas.vouch("ST-10", "F1abc", ENTPersonLogin="lucas.martin")  # an account of MonLycée.net
    finish = await CasLogin(services, cas).finish(state_of(offered(services)), ticket)
    assert finish.reason == "other_tenant" and services.links.link_of(SENDER) is None


async def test_adml_membership_is_what_the_cas_says(services: Services, cas: FakeCas) -> None:
    groups = ["esco:Etablissements:BALZAC_0370034E:Profs", "esco:admin:local:admin_BALZAC_0370034E"]
    ticket = cas.vouch("ST-11", "F37flef", ENTPersonLogin="francois.lefevre", isMemberOf=groups)
    finish = await CasLogin(services, cas).finish(state_of(offered(services)), ticket)
    assert finish.adml_of == ("0370034E",)
    assert services.actor(SENDER).administers("0370034E")  # not an ADML in the directory
    assert audit(services)[-1][2] == "cas netocentre, ADML of 0370034E per the CAS"


async def test_a_chat_is_offered_a_bounded_number_of_logins(services: Services, cas: FakeCas) -> None:
    limit = services.config.linking.cas_logins_per_chat.count
    login = CasLogin(services)
    assert all(login.offer(Actor(SENDER), "telegram", "netocentre") for _ in range(limit))
    assert login.offer(Actor(SENDER), "telegram", "netocentre") is None
    assert login.offer(Actor("telegram:5002"), "telegram", "netocentre") is not None  # another chat
    assert audit(services)[-1] == (None, "rate_limited", "cas login links")


def test_only_a_tenant_with_a_cas_is_offered(services: Services, cas: FakeCas) -> None:
    with pytest.raises(ValueError, match="no CAS"):
        CasLogin(services).offer(Actor(SENDER), "telegram", "monlycee")


@pytest.mark.parametrize("reason", sorted(REFUSALS))
def test_every_refusal_has_its_words(reason: str) -> None:
    assert CasFinish(None, reason).message().strip()
