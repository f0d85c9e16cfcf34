"""A link made by the ENT's login keeps what the CAS said of ADML membership: it is what the chat may do."""

from __future__ import annotations

from bot.core.authz import Permission, authorise
from bot.services import Services
from bot.storage.links import Link, LinkMethod
from tests.conftest import SettableClock


def test_a_cas_link_records_how_it_was_proved(services: Services, clock: SettableClock) -> None:
    services.links.link("web:a", "camille.rousseau", clock(), LinkMethod.CAS, None)
    services.links.link("web:b", "lucas.martin", clock())
    assert services.links.link_of("web:a") == Link("camille.rousseau", LinkMethod.CAS, None, clock())
    assert services.links.link_of("web:b") == Link("lucas.martin", LinkMethod.CODE, None, clock())


def test_the_cas_saying_adml_gives_the_powers_on_that_school(services: Services, clock: SettableClock) -> None:
    francois = services.directory.find_account("francois.lefevre")
    assert francois is not None and not francois.adml_of  # not an ADML in the directory
    services.links.link("telegram:9", "francois.lefevre", clock(), LinkMethod.CAS, ("0370034E",))
    actor = services.actor("telegram:9")
    balzac_student = services.directory.find_account("lea.blanc2")
    voltaire_student = services.directory.find_account("jules.faure")
    assert authorise(actor, Permission.RESET_PASSWORD, balzac_student).allowed
    assert authorise(actor, Permission.RESET_PASSWORD, voltaire_student).reason == "other_school"
    assert services.links.administrators_of("0370034E", []) == [("telegram:9", "francois.lefevre")]


def test_the_cas_saying_not_adml_outweighs_the_directory(services: Services, clock: SettableClock) -> None:
    sylvie = services.directory.find_account("sylvie.durand")
    assert sylvie is not None and "0370034E" in sylvie.adml_of
    services.links.link("telegram:8", "sylvie.durand", clock(), LinkMethod.CAS, ())
    assert authorise(services.actor("telegram:8"), Permission.RESET_PASSWORD, sylvie).reason == "not_adml"
    assert services.links.administrators_of("0370034E", ["sylvie.durand"]) == []


def test_a_code_link_keeps_the_directory_adml_membership(services: Services, clock: SettableClock) -> None:
    services.links.link("telegram:7", "sylvie.durand", clock())
    assert services.actor("telegram:7").administers("0370034E")
    assert services.links.administrators_of("0370034E", ["sylvie.durand"]) == [("telegram:7", "sylvie.durand")]


def test_a_link_the_cas_made_an_adml_one_lasts_as_an_adml_link(services: Services, clock: SettableClock) -> None:
    services.links.link("telegram:9", "francois.lefevre", clock(), LinkMethod.CAS, ("0370034E",))
    services.links.link("telegram:8", "sylvie.durand", clock(), LinkMethod.CAS, ())  # no powers: a user's link
    clock.advance(hours=12, seconds=1)
    assert services.links.linked_login("telegram:9") is None
    assert services.links.linked_login("telegram:8") == "sylvie.durand"
