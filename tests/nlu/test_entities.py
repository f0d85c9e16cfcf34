"""Entities come with exact spans: text[start:end] is what the user typed."""

from __future__ import annotations

import pytest

from bot.nlu.entities import EntityExtractor

LOOKUP = {"prof": ("profile", "teacher"), "prestataire": ("profile", "cridf_contractor"), "netocentre": ("tenant", "netocentre"),
          "mon lycee.net": ("tenant", "monlycee")}


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
        ("sur netocentre.fr ou lycees.netocentre.fr", [("tenant", "netocentre", "netocentre"), ("tenant", "netocentre", "netocentre")]),
        ("allez sur ent.iledefrance.fr", []),
    ],
)
def test_entities_and_their_spans(extractor: EntityExtractor, text: str, expected: list) -> None:
    assert spans(extractor, text) == expected


@pytest.mark.parametrize("text", ["*)(uid=*", "\\00", "a,ou=people", "x" * 10_000])
def test_hostile_text_gives_no_identifier(extractor: EntityExtractor, text: str) -> None:
    assert [e for e in extractor.extract(text) if e.entity == "username"] == []
