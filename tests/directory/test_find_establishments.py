"""`Directory.find_establishments`: a school found by what a user types, on both adapters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.directory.fixture import DirectoryFixture, FixtureError, parse_fixture
from bot.directory.ldap import LdapDirectory
from bot.directory.sql import SqlDirectory
from bot.storage.activation import ActivationStore
from bot.storage.db import make_engine, migrate, session_factory
from tests.directory.conftest import ldap_settings
from tests.support.slapd import Slapd

JEAN_MOULINS = {"0750001A", "0750002B", "0451442H"}


def uais(found: list) -> list[str]:
    return [e.uai for e in found]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lycee jean moulin a paris", "0750001A"),
        ("Lycée Jean-Moulin, Paris", "0750001A"),
        ("college jean moulin paris", "0750002B"),
        ("clg jean moulin", "0750002B"),
        ("jean moulin montargis", "0451442H"),
        ("lycee polyvalent jean moulin", "0451442H"),
        ("lyc. paul eluard st denis", "0931234B"),
        ("PAUL ÉLUARD", "0931234B"),
        ("eluard", "0931234B"),  # stored as Éluard: no accent typed, one word
        ("batiment", "0410001X"),
        ("le LP du batiment", "0410001X"),
        ("lycée des métiers du bâtiment blois", "0410001X"),
        ("lgt voltaire orleans", "0450012D"),
        ("lycee voltair", "0450012D"),
        ("saint paul", "0930001C"),
    ],
)
def test_the_school_the_user_means_comes_first(directory, query: str, first: str) -> None:
    found = directory.find_establishments(query)
    assert found and found[0].uai == first


def test_results_are_the_schools_as_loaded(directory, contract_fixture: DirectoryFixture) -> None:
    by_uai = {e.uai: e for e in contract_fixture.establishments}
    found = directory.find_establishments("paul eluard saint-denis")
    assert found == [by_uai["0931234B"]] and found[0].city == "Saint-Denis"
    assert directory.find_establishments("saint paul")[0] == by_uai["0930001C"]  # a school without a town


def test_homonyms_are_all_offered_best_first_within_the_limit(directory) -> None:
    assert set(uais(directory.find_establishments("jean moulin"))) == JEAN_MOULINS
    assert set(uais(directory.find_establishments("jean moulain"))) == JEAN_MOULINS  # a typo
    assert len(directory.find_establishments("jean moulin", limit=2)) == 2
    assert directory.find_establishments("jean moulin", limit=0) == []
    assert uais(directory.find_establishments("lycee jean moulin paris"))[:2] == ["0750001A", "0750002B"]


def test_a_town_alone_offers_its_schools(directory) -> None:
    assert uais(directory.find_establishments("lycee a orleans")) == ["0450012D"]
    assert set(uais(directory.find_establishments("paris"))) == {"0750001A", "0750002B"}


@pytest.mark.parametrize(
    "query", ["", "   ", "lycée", "le lycée de", "lycee victor hugo", "jean jaures paris", "bordeaux", "marie.dupont"]
)
def test_nothing_real_gives_nothing(directory, query: str) -> None:
    assert directory.find_establishments(query) == []


@pytest.mark.parametrize(
    "query", ["*", "*)(objectClass=*", "\\00", "(", ")", "\\", "voltaire)(|(ou=*", "*)(ENTStructureUAI=*", "\x00"]
)
def test_hostile_queries_select_nothing(directory, query: str) -> None:
    assert directory.find_establishments(query) == []


def test_special_characters_around_words_are_only_separators(directory) -> None:
    assert uais(directory.find_establishments("*voltaire*"))[:1] == ["0450012D"]
    assert uais(directory.find_establishments("saint paul (privé)"))[:1] == ["0930001C"]


@pytest.mark.ldap
def test_both_adapters_find_the_same_schools(
    tmp_path, contract_fixture: DirectoryFixture, make_ldap: Callable[..., LdapDirectory]
) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    migrate(make_engine(url))
    sessions = session_factory(make_engine(url))
    sql = SqlDirectory(sessions, ActivationStore(sessions))
    ldap = make_ldap()
    for adapter in (sql, ldap):
        adapter.load_fixture(contract_fixture)
    for query in (
        "jean moulin",
        "jean moulain",
        "lyc. paul eluard st denis",
        "le LP du batiment",
        "paris",
        "lgt voltaire orleans",
        "saint paul",
        "victor hugo",
        "mtrgs",
        "lycee moulim",
        "voltaite",
        "eluarf",
        "batimant blois",
        "montarjis",
    ):
        assert sql.find_establishments(query) == ldap.find_establishments(query), query


def test_the_fixture_town_is_optional() -> None:
    raw = {
        "establishments": [
            {"uai": "0750001a", "name": "Lycée Jean Moulin", "tenant": "monlycee", "city": " Paris "},
            {"uai": "0750002B", "name": "Collège Jean Moulin", "tenant": "monlycee", "city": ""},
            {"uai": "0750003C", "name": "Lycée Voltaire", "tenant": "monlycee"},
        ]
    }
    assert [e.city for e in parse_fixture(raw).establishments] == ["Paris", None, None]
    with pytest.raises(FixtureError, match="unknown field 'town'"):
        parse_fixture({"establishments": [{"uai": "0750001A", "name": "X", "tenant": "monlycee", "town": "Paris"}]})


@pytest.mark.ldap
def test_ldap_keeps_the_town_in_the_operators_attribute(
    make_ldap: Callable[..., LdapDirectory], contract_fixture: DirectoryFixture, contract_slapd: Slapd
) -> None:
    make_ldap().load_fixture(contract_fixture)
    connection = contract_slapd.admin_connection()
    connection.search(
        "ou=structures,dc=esco-centre,dc=fr", "(objectClass=ENTStructure)", attributes=["ENTStructureUAI", "l"]
    )
    towns = {e["attributes"]["ENTStructureUAI"][0]: e["attributes"]["l"] for e in connection.response}
    connection.unbind()
    assert towns["0931234B"] == ["Saint-Denis"] and towns["0930001C"] == []


# --- the operator's own directory --------------------------------------------------------------------


@pytest.mark.ldap
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lycee de l iroise brest", "0290009C"),
        ("college de l'iroise", "0291595B"),
        ("Collège de l’Iroise à Brest", "0291595B"),
        ("lycée iroise", "0290009C"),
    ],
)
def test_finds_schools_of_the_netocentre_reference_directory(
    reference_slapd: Slapd, activation: ActivationStore, query: str, first: str
) -> None:
    directory = LdapDirectory(ldap_settings(reference_slapd), activation, reference_slapd.password, tenant="netocentre")
    found = directory.find_establishments(query)
    assert uais(found) == [first, ({"0290009C", "0291595B"} - {first}).pop()]
    assert found[0].city == "BREST CEDEX 2" and found[0].tenant == "netocentre"
