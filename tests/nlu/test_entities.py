"""Entities come with exact spans: text[start:end] is what the user typed."""

from __future__ import annotations

import pytest

from bot.nlu.entities import EntityExtractor

LOOKUP = {
    "prof": ("profile", "teacher"),
    "prestataire": ("profile", "cridf_contractor"),
    "netocentre": ("tenant", "netocentre"),
    "mon lycee.net": ("tenant", "monlycee"),
}


@pytest.fixture
def extractor() -> EntityExtractor:
    return EntityExtractor(LOOKUP)


def spans(extractor: EntityExtractor, text: str) -> list[tuple[str, str, str]]:
    return [(e.entity, e.value, text[e.start : e.end]) for e in extractor.extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon identifiant c marie.dupont2 merci", [("username", "marie.dupont2", "marie.dupont2")]),
        ("Marie.Dupont", [("username", "marie.dupont", "Marie.Dupont")]),
        ("mon mail perso jean.d@gmail.com", [("email", "jean.d@gmail.com", "jean.d@gmail.com")]),
        ("lycee 0751234a", [("uai", "0751234A", "0751234a")]),
        ("ou en est le ticket 42 ?", [("ticket_id", "42", "ticket 42")]),
        ("ma demande #7", [("ticket_id", "7", "#7")]),
        ("je suis prof sur Mon Lycée.net", [("profile", "teacher", "prof"), ("tenant", "monlycee", "Mon Lycée.net")]),
        (
            "sur netocentre.fr ou lycees.netocentre.fr",
            [("tenant", "netocentre", "netocentre"), ("tenant", "netocentre", "netocentre")],
        ),
        ("allez sur ent.iledefrance.fr", []),
    ],
)
def test_entities_and_their_spans(extractor: EntityExtractor, text: str, expected: list) -> None:
    assert spans(extractor, text) == expected


@pytest.mark.parametrize("text", ["*)(uid=*", "\\00", "a,ou=people", "x" * 10_000])
def test_hostile_text_gives_no_identifier(extractor: EntityExtractor, text: str) -> None:
    assert [e for e in extractor.extract(text) if e.entity == "username"] == []


# --- a tenant's own identifier formats (netocentre's sample directory: test14) ----------------------------

RECIA = [r"[a-z]{2,}\d{1,6}"]


def usernames(extractor: EntityExtractor, text: str, patterns: list[str] = RECIA) -> list[tuple[str, str]]:
    return [
        (e.value, text[e.start : e.end])
        for e in extractor.extract(text, extra_login_patterns=patterns)
        if e.entity == "username"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon identifiant est test14", [("test14", "test14")]),
        ("Identifiant : TEST14.", [("test14", "TEST14")]),
        ("mon login c'est test1000 merci", [("test1000", "test1000")]),
        ("mon id: test1", [("test1", "test1")]),
        ("je suis test2 et je n'arrive pas à me connecter", [("test2", "test2")]),
        ("c’est test15", [("test15", "test15")]),
        ("mon compte test3 est bloqué", [("test3", "test3")]),
        ("mon identifiant c test14", [("test14", "test14")]),
        ("compte=test4", [("test4", "test4")]),
        ("mon identifiant c'est test14 et mon mot de passe c'est soleil2024", [("test14", "test14")]),
        ("identifiant marie.dupont2", [("marie.dupont2", "marie.dupont2")]),  # the default format, as before
    ],
)
def test_a_tenant_format_is_an_identifier_right_after_a_cue(
    extractor: EntityExtractor, text: str, expected: list
) -> None:
    assert usernames(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "soleil2024",
        "j'ai essayé soleil2024 et ça ne marche pas",
        "mon mot de passe c'est soleil2024",
        "mon mot de passe c'est soleil2024, merci. Bonne journée",
        "mon mdp est soleil2024",
        "le code c'est abc123",
        "mot de passe du compte soleil2024",
        "identifiant test14x",  # not the format
        "idtest14",  # no cue word
        "je suis eleve",
        "mon identifiant est netocentre1",  # names of the ENTs are never identifiers
        "mon identifiant c'est Soleil2026!",  # looks like a password to the redaction: never a username
        "identifiant Test1000",
    ],
)
def test_a_bare_or_password_word_is_never_a_tenant_identifier(extractor: EntityExtractor, text: str) -> None:
    assert usernames(extractor, text) == []


def test_tenant_formats_apply_only_when_given(extractor: EntityExtractor) -> None:
    assert usernames(extractor, "mon identifiant est test14", patterns=[]) == []
    assert [e.entity for e in extractor.extract("mon identifiant est test14")] == []


def test_a_tenant_identifier_does_not_hide_other_entities(extractor: EntityExtractor) -> None:
    text = "je suis prof, mon identifiant est test14, ticket 42"
    found = [(e.entity, e.value) for e in extractor.extract(text, extra_login_patterns=RECIA)]
    assert found == [("profile", "teacher"), ("username", "test14"), ("ticket_id", "42")]


@pytest.mark.parametrize("text", ["identifiant *)(uid=*", "login \\00", "id " + "a" * 100 + "1", "identifiant " * 2000])
def test_hostile_text_gives_no_tenant_identifier(extractor: EntityExtractor, text: str) -> None:
    assert usernames(extractor, text) == []
