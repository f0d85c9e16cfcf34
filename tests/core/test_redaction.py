"""What is stored of a conversation never holds a password, an address, a phone number or a code."""

from __future__ import annotations

import pytest

from bot.core.redaction import contains_password, mask_email, redact


def test_mask_email_keeps_enough_to_recognise_it() -> None:
    assert mask_email("marie.dupont@gmail.com") == "m***t@g***.com"
    assert mask_email("jo@laposte.net") == "j***@l***.net"


@pytest.mark.parametrize(
    "text",
    ["mon mdp est Soleil2024!", "mot de passe : azerty123", "voila mon password=Hx9$kk22",
     "Tr0ub4dor&3xyz", "le code 482913", "mon mail marie.dupont@gmail.com", "appelez moi au 06 12 34 56 78"],
)
def test_secrets_and_personal_data_are_removed(text: str) -> None:
    redacted = redact(text)
    for secret in ("Soleil2024!", "azerty123", "Hx9$kk22", "Tr0ub4dor&3xyz", "482913", "marie.dupont@gmail.com", "06 12 34 56 78"):
        assert secret not in redacted


@pytest.mark.parametrize(
    "text",
    ["mon identifiant est marie.dupont2", "mon lycée c'est 0751234A", "ou en est mon ticket #42",
     "j'arrive pas a me connecter sur https://lycees.netocentre.fr"],
)
def test_what_the_assistant_needs_is_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "holds_one"),
    [("mon mdp est Soleil2024!", True), ("mot de passe : azerty123", True), ("Tr0ub4dor&3xyz", True),
     ("j'ai oublie mon mot de passe", False), ("mon mot de passe est trop court", False),
     ("le mdp provisoire marche pas", False), ("mon identifiant c'est marie.dupont2", False)],
)
def test_contains_password(text: str, holds_one: bool) -> None:
    assert contains_password(text) is holds_one


def test_forgetting_a_password_is_not_redacted() -> None:
    assert redact("j'ai oublie mon mot de passe") == "j'ai oublie mon mot de passe"


@pytest.mark.parametrize("text", ["mon mot de passe c’est soleil2024", "mon mdp soleil2024 marche pas"])
def test_phone_typed_passwords_are_caught(text: str) -> None:
    assert contains_password(text) and "soleil2024" not in redact(text)


@pytest.mark.parametrize("text", ["Marie.dupont2", "Marie.Dupont2.", "c'est Jean-Luc.Martin3"])
def test_capitalised_identifiers_are_not_passwords(text: str) -> None:
    assert not contains_password(text) and redact(text) == text
