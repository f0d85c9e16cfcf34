"""What a user typed, read as an identifier: the normalisations, the ENT names refused, the strict form."""

from __future__ import annotations

import pytest

from bot.core.identifiers import as_login, is_strict_login

OPERATOR = [r"[a-z][a-z\-]*\.[a-z][a-z\-]*\d*", r"[a-z]{2,}\d{1,6}"]  # config.yml's netocentre patterns
ANY_DOTTED = [r"[a-z0-9.]+"]  # a tenant whose identifiers are any dotted words: only the rules below filter


@pytest.mark.parametrize(
    ("typed", "login"),
    [
        ("Marie Dupont", "marie.dupont"),
        ("  marie.dupont  ", "marie.dupont"),
        ("(marie.dupont).", "marie.dupont"),
        ("'marie.dupont2'", "marie.dupont2"),
        ("TEST14", "test14"),
    ],
)
def test_what_is_read_as_a_login(typed: str, login: str) -> None:
    assert as_login(typed, OPERATOR) == login


@pytest.mark.parametrize(
    "typed",
    [
        "monlycee.net",  # the names of the ENTs and their domains are not people
        "lycees.netocentre.fr",
        "marie.net2",  # a domain part, whatever digits follow it
        "ent.dupont",
        "www.iledefrance",
        "lycee paris",  # a school in two words, typed where a school or an identifier is asked
        "College Voltaire",
    ],
)
def test_ent_names_and_domains_are_not_logins(typed: str) -> None:
    assert as_login(typed, ANY_DOTTED) is None


def test_only_two_plain_words_are_joined_into_a_login() -> None:
    assert as_login("marie dupont", ANY_DOTTED) == "marie.dupont"
    assert as_login("marie.dupont lycee", ANY_DOTTED) is None  # a dotted word and another: not one login
    assert as_login("marie dupont lycee", ANY_DOTTED) is None  # three words: a sentence


def test_a_password_shaped_word_is_a_login_only_in_the_strict_form() -> None:
    assert as_login("soleil2026", OPERATOR) == "soleil2026"
    assert as_login("Soleil2026!", OPERATOR) is None  # looks like a password: neither looked up nor repeated
    assert as_login("Marie.Dupont2", OPERATOR) == "marie.dupont2"


def test_non_text_is_not_a_login() -> None:
    assert as_login(None, OPERATOR) is None
    assert as_login(14, OPERATOR) is None


def test_the_strict_form_is_prenom_nom() -> None:
    assert is_strict_login("marie.dupont") and is_strict_login("jean-luc.martin2")
    assert not is_strict_login("test14") and not is_strict_login("f1abc")
    assert not is_strict_login("marie.dupont@monlycee.net")
