"""What is stored of a conversation never holds a password, an address, a phone number or a code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.redaction import (
    NOT_AN_IDENTIFIER,
    PASSWORD_MARK,
    contains_password,
    is_identifier,
    mask_email,
    redact,
    safe_identifier,
    safe_target,
)

ROOT = Path(__file__).resolve().parents[2]


def test_mask_email_keeps_enough_to_recognise_it() -> None:
    assert mask_email("marie.dupont@gmail.com") == "m***t@g***.com"
    assert mask_email("jo@laposte.net") == "j***@l***.net"


@pytest.mark.parametrize(
    "text",
    [
        "mon mdp est Soleil2024!",
        "mot de passe : azerty123",
        "voila mon password=Hx9$kk22",
        "Tr0ub4dor&3xyz",
        "le code 482913",
        "mon mail marie.dupont@gmail.com",
        "appelez moi au 06 12 34 56 78",
    ],
)
def test_secrets_and_personal_data_are_removed(text: str) -> None:
    redacted = redact(text)
    for secret in (
        "Soleil2024!",
        "azerty123",
        "Hx9$kk22",
        "Tr0ub4dor&3xyz",
        "482913",
        "marie.dupont@gmail.com",
        "06 12 34 56 78",
    ):
        assert secret not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "mon identifiant est marie.dupont2",
        "mon lycée c'est 0751234A",
        "ou en est mon ticket #42",
        "j'arrive pas a me connecter sur https://lycees.netocentre.fr",
    ],
)
def test_what_the_assistant_needs_is_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "holds_one"),
    [
        ("mon mdp est Soleil2024!", True),
        ("mot de passe : azerty123", True),
        ("Tr0ub4dor&3xyz", True),
        ("j'ai oublie mon mot de passe", False),
        ("mon mot de passe est trop court", False),
        ("le mdp provisoire marche pas", False),
        ("mon identifiant c'est marie.dupont2", False),
        # a word named an identifier just before, an emoji after one, a typo in "provisoire", an interjection
        ("mot de passe incorrect. Mon identifiant : F0712abc", False),
        ("mon identifiant c nathan.roux 😩", False),
        ("et le mdp provisoir je le trouv ou", False),
        ("oups c mon mdp ca 🤦 mon id c kevin.roux", False),
        ("il parait que je suis bloqué (test14)", False),
        ("(Soleil2024!)", True),
        ("mon mdp provisoir est Xk3-9ab", True),
        ("mon identifiant c F0712abc et mdp Soleil#2024", True),
    ],
)
def test_contains_password(text: str, holds_one: bool) -> None:
    assert contains_password(text) is holds_one


def test_forgetting_a_password_is_not_redacted() -> None:
    assert redact("j'ai oublie mon mot de passe") == "j'ai oublie mon mot de passe"


@pytest.mark.parametrize("text", ["mon mot de passe c’est soleil2024", "mon mdp soleil2024 marche pas"])
def test_phone_typed_passwords_are_caught(text: str) -> None:
    assert contains_password(text) and "soleil2024" not in redact(text)


def test_a_log_line_keeps_the_telegram_chat_it_names_but_not_a_web_chats_inbox_key() -> None:
    line = "audit row not written (reset/refused, target marie.dupont, by telegram chat telegram:6001)"
    assert redact(line) == line
    web = redact("turn of web:p3f2a9c01aa11bb22cc33dd44ee55ff66 refused")
    assert "p3f2a9c01aa11bb22cc33dd44ee55ff66" not in web
    assert PASSWORD_MARK in redact("mon mdp telegram:6001") and PASSWORD_MARK in redact("telegram:6a01Bcd!")


@pytest.mark.parametrize("text", ["Marie.dupont2", "Marie.Dupont2.", "c'est Jean-Luc.Martin3"])
def test_capitalised_identifiers_are_not_passwords(text: str) -> None:
    assert not contains_password(text) and redact(text) == text


# -- announced passwords, phrasing by phrasing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mon mdp c'est soleil je veux parler à un conseiller", "soleil"),
        ("mon mdp c’est Soleil2024! je veux parler à un conseiller", "Soleil2024!"),
        ("mon mot de passe est soleil mais ça marche pas", "soleil"),
        ("mon mdp cest tournesol", "tournesol"),
        ("mon mdp c tournesol", "tournesol"),
        ("mon mdp est : tournesol", "tournesol"),
        ("mot de passe = tournesol", "tournesol"),
        ("password:tournesol", "tournesol"),
        ("mp: tournesol", "tournesol"),
        ("mp : 12345678", "12345678"),
        ("pass: 4821", "4821"),
        ("mon mdp tournesol marche pas", "tournesol"),
        ("mon code d'accès c'est 4821", "4821"),
        ("code d'acces : tortue", "tortue"),
        ("mot de passe provisoire : Xk7-pQ2m", "Xk7-pQ2m"),
        ("mon mot de passe provisoire c'est Ab3-xY9 et il marche pas", "Ab3-xY9"),
        ("mon mot de passe ent c'est éléphant", "éléphant"),
        ("mdp = 987654", "987654"),
        ("mdp: 12/03/2008", "12/03/2008"),
    ],
)
def test_an_announced_password_is_removed_whatever_its_strength(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret.lower() not in redacted.lower() and contains_password(text)
    assert "[mot de passe masqué]" in redacted


@pytest.mark.parametrize(
    ("text", "passphrase"),
    [
        ("mot de passe : cheval batterie agrafe correct", "cheval batterie agrafe correct"),
        ("mdp: tortue rouge danse vite, je veux un conseiller", "tortue rouge danse vite"),
        ("mon mdp c'est forêt élève épée je veux parler à quelqu'un", "forêt élève épée"),
        ("mon mot de passe c'est nuage violet mais ça marche pas", "nuage violet"),
    ],
)
def test_a_passphrase_is_removed_to_the_end_of_its_clause(text: str, passphrase: str) -> None:
    redacted = redact(text)
    assert all(word not in redacted for word in passphrase.split())
    assert redacted.endswith(text[text.index(passphrase) + len(passphrase) :])  # what follows stays readable


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("j'ai essayé tournesol mais ça marche pas", "tournesol"),
        ("j'ai essayé cheval batterie agrafe mais ça marche pas", "cheval batterie agrafe"),
        ("jai tapé tournesol", "tournesol"),
        ("j'ai tapé tournesol et ça marche pas", "tournesol"),
        ("g essayé 1234abcd mais rien", "1234abcd"),
        ("avec tournesol ça marche pas", "tournesol"),
        ("avec tournesol2024 ca marche pas", "tournesol2024"),
        ("avec tournesol il me dit incorrect", "tournesol"),
        ("jai mis 12345678 comme mdp ca passe pas", "12345678"),
        ("tournesol2024 c'est mon mdp", "tournesol2024"),
        ("est ce que azerty123 c'est un mot de passe valide", "azerty123"),
    ],
)
def test_a_password_told_as_what_was_tried_is_removed(text: str, secret: str) -> None:
    redacted = redact(text)
    assert all(word not in redacted for word in secret.split()) and contains_password(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('mon mdp c\'est "le petit chat" et ça marche pas', "le petit chat"),
        ("mon mot de passe est « élève forêt »", "élève forêt"),
        ("j'ai tapé 'abc def' mais non", "abc def"),
    ],
)
def test_a_quoted_secret_is_removed_whole(text: str, secret: str) -> None:
    assert all(word not in redact(text) for word in secret.split())


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("mon mdp c'est tournesol, mon mail marie.dupont@gmail.com, le code 482913")
    assert redact(once) == once


# -- what must stay readable -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mon mot de passe est trop court",
        "le mot de passe c'est quoi",
        "mon mdp c'est pas le bon",
        "mon mdp est bon mais la connexion est refusee",
        "le mot de passe provisoire, je l'ai perdu",
        "j'ai essayé de me connecter mais ça marche pas",
        "avec mon téléphone ça marche pas",
        "je tape mon mot de passe et ca met incorrect",
        "j'ai tout essayé avec le chatbot et rien ne marche",
        "mon code postal 75001",
        "le code reçu par mail",
        "code etablissement 0781234K",
        "le code du lycee c'est 0452010T",
        "mon mdp provisoire du 12/09 marche pas",
        "mot de passe : mini 8 ?",
        "j'ai tapé gmial au lieu de gmail dans l'adresse de secours, comment corriger",
        "je suis prof au lycee 0782345C, j ai oublie mon mot de passe depuis les vacances",
        "mon identifiant c'est marie.dupont2, mon lycée 0751234A, ticket #42, le 12/09/2026 à 10h30",
        "mon mot de passe, bonne question",
        "jai zappé mon mdp completement",
        "pourquoi mon mot de passe est jugé trop faible",
    ],
)
def test_ordinary_messages_stay_readable(text: str) -> None:
    assert redact(text) == text and not contains_password(text)


def test_identifiers_and_school_codes_next_to_a_password_are_kept() -> None:
    redacted = redact("identifiant : marie.dupont2 mdp : tournesol, lycée 0751234A")
    assert "tournesol" not in redacted
    assert "marie.dupont2" in redacted and "0751234A" in redacted


def test_the_training_examples_stay_readable() -> None:
    """What users type to the assistant (knowledge/nlu.yml) stays as typed, but for the passwords and addresses."""
    data = yaml.safe_load((ROOT / "knowledge" / "nlu.yml").read_text(encoding="utf-8"))
    changed = []
    for item in data["nlu"]:
        if "intent" not in item:
            continue
        for line in item["examples"].splitlines():
            text = re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
            if "@" not in text and redact(text) != text:
                changed.append(text)
    assert changed == [
        "jai mis 12345678 comme mdp ca passe pas pk",
        "est ce que azerty123 c'est un mot de passe valide",
    ]


# -- what may name an account -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("marie.dupont2", "marie.dupont2"),
        (" Marie.Dupont ", "marie.dupont"),
        ("tournesol", None),
        ("mon mdp c'est tournesol je veux parler à un conseiller", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_only_a_well_formed_identifier_may_stand_as_one(value: object, kept: str | None) -> None:
    assert safe_identifier(value) == kept and is_identifier(value) is (kept is not None)


@pytest.mark.parametrize(
    ("target", "stored"),
    [
        ("marie.dupont", "marie.dupont"),
        ("ticket 12", "ticket 12"),
        ("request 3", "request 3"),
        (None, None),
        ("mon mdp c'est tournesol", NOT_AN_IDENTIFIER),
        ("tournesol", NOT_AN_IDENTIFIER),
    ],
)
def test_an_audit_target_is_an_identifier_a_reference_or_a_marker(target: str | None, stored: str | None) -> None:
    assert safe_target(target) == stored


@pytest.mark.parametrize(
    ("text", "passphrase"),
    [
        ("mon mdp tortue rouge danse marche pas", "tortue rouge danse"),
        ("tortue rouge danse c'est mon mot de passe", "tortue rouge danse"),
        ("bonjour, tortue rouge danse c'est mon mdp", "tortue rouge danse"),
    ],
)
def test_a_passphrase_without_separator_is_removed_up_to_the_next_ordinary_word(text: str, passphrase: str) -> None:
    redacted = redact(text)
    assert all(word not in redacted for word in passphrase.split())
    assert "marche pas" in redacted or "mot de passe" in redacted or "mdp" in redacted


@pytest.mark.parametrize(
    "text", ["par exemple marie.dupont2).", "(marie.dupont2)", "« Marie.Dupont2 »", "le lycée (0751234A)."]
)
def test_identifiers_in_brackets_or_quotes_are_kept(text: str) -> None:
    assert redact(text) == text


def test_what_the_assistant_says_stays_readable() -> None:
    """The answers of domain.yml and the articles, as they land in the stored transcript."""
    domain = yaml.safe_load((ROOT / "knowledge" / "domain.yml").read_text(encoding="utf-8"))
    texts = [v["text"] for variants in domain["responses"].values() for v in variants if v.get("text")]
    for article in sorted((ROOT / "knowledge" / "articles").glob("*.md")):
        texts += article.read_text(encoding="utf-8").splitlines()
    changed = [text for text in texts if "@" not in text and redact(text) != text]
    assert changed == []


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("marie.dupont soleil2024", "soleil2024"),
        ("marie.dupont2 / tournesol", "tournesol"),
        ("marie.dupont tournesol", "tournesol"),
        ("marie.dupont tortue rouge danse", "rouge danse"),
        ("identifiant et mdp : marie.dupont Tournesol!", "Tournesol!"),
        ("mon mdp c'est bien tournesol", "tournesol"),
    ],
)
def test_credentials_typed_together_lose_the_password_and_keep_the_identifier(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted and ("marie.dupont" in redacted or "mdp" in redacted)


@pytest.mark.parametrize(
    "text",
    [
        "marie.dupont lycee 0751234A",
        "marie.dupont2 merci",
        "c'est marie.dupont, mon lycée 0751234A",
        "marie.dupont Versailles",
        "c'est marie.dupont ma fille",
        "mon mdp c'est bien le bon",
        "marie.dupont 0751234A",
    ],
)
def test_an_identifier_followed_by_ordinary_words_stays_readable(text: str) -> None:
    assert redact(text) == text


def test_redaction_stays_linear_on_a_long_token() -> None:
    """A pasted blob must not stall the turn: the address pattern used to retry at every character."""
    text = "a" * 50_000
    assert redact(text) == text


# -- where a password ends: what follows it stays readable -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        # after a verb: up to the clause's end, the line's end, or the failure that follows
        ("j'ai tapé tournesol et ça marche pas", "j'ai tapé [mot de passe masqué] et ça marche pas"),
        ("j'ai tapé tournesol\nmerci", "j'ai tapé [mot de passe masqué]\nmerci"),
        ("avec tortue rouge ça marche pas", "avec [mot de passe masqué] ça marche pas"),
        ("mot de passe oublié, j'ai tapé tournesol", "mot de passe oublié, j'ai tapé [mot de passe masqué]"),
        ('j\'ai tapé "le petit chat" mais ça marche pas', "j'ai tapé [mot de passe masqué] mais ça marche pas"),
        ("j'ai tapé 'tortue' mais il dit 'incorrect'", "j'ai tapé [mot de passe masqué] mais il dit 'incorrect'"),
        ("j'ai tapé tortue rouge.", "j'ai tapé [mot de passe masqué]"),
        # after an announcer: the passphrase, then the rest of the sentence
        ("mon mdp tortue rouge danse marche pas", "mon mdp [mot de passe masqué] marche pas"),
        ("mot de passe : tournesol, rien ne marche", "mot de passe : [mot de passe masqué], rien ne marche"),
        ("mot de passe : tortue rouge, rien ne marche", "mot de passe : [mot de passe masqué], rien ne marche"),
        ("mon mdp c'est tortue qu'on m'a donné", "mon mdp c'est [mot de passe masqué] qu'on m'a donné"),
        ("mon mdp c'est tortue j'ai vérifié", "mon mdp c'est [mot de passe masqué] j'ai vérifié"),
        ("mot de passe : tortue\nLucas Martin, 2nde B", "mot de passe : [mot de passe masqué]\nLucas Martin, 2nde B"),
        ("mon mdp c'est 'tortue\nmerci d'avance", "mon mdp c'est [mot de passe masqué]\nmerci d'avance"),
        # named afterwards: back to the sentence's start, the line's start, or an ordinary word
        ("bonjour tortue rouge danse c'est mon mdp", "bonjour [mot de passe masqué] c'est mon mdp"),
        ("voilà mon souci, tortue rouge c'est mon mdp", "voilà mon souci, [mot de passe masqué] c'est mon mdp"),
        ("lycée 0751234A tortue rouge c'est mon mdp", "lycée 0751234A [mot de passe masqué] c'est mon mdp"),
        (
            "Bonjour\nLycée Voltaire\ntortue danse c'est mon mdp",
            "Bonjour\nLycée Voltaire\n[mot de passe masqué] c'est mon mdp",
        ),
        ("tortue rouge danse c'est mon mdp\nmerci d'avance", "[mot de passe masqué] c'est mon mdp\nmerci d'avance"),
        # after an identifier
        ("marie.dupont tournesol le site dit incorrect", "marie.dupont [mot de passe masqué] le site dit incorrect"),
        (
            "je ne sais plus si c'est lucas.martin ou lucas.martin2 tournesol",
            "je ne sais plus si c'est lucas.martin ou lucas.martin2 [mot de passe masqué]",
        ),
    ],
)
def test_a_password_is_cut_where_it_ends(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "j'ai tapé tournesol !",  # French typography: a space before "!" and "?"
        "j'ai essayé tournesol ?",
        "jai tapé tournesol ! ça marche pas",
    ],
)
def test_a_password_before_a_spaced_exclamation_or_question_mark_is_removed(text: str) -> None:
    assert "tournesol" not in redact(text) and redact(text).endswith(text[text.index("tournesol") + 9 :])


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # when nothing announces it, five words at most; announced, eight
        ("mon mdp alpha bravo charlie delta echo foxtrot", "foxtrot"),
        ("marie.dupont tortue rouge danse vite forêt lune soleil", "lune soleil"),
        ("mon mdp c'est cheval batterie agrafe correct licorne étoile lune soleil comète", "comète"),
        ("mot de passe : cheval batterie agrafe correct licorne étoile lune soleil comète", "comète"),
    ],
)
def test_a_passphrase_has_a_bounded_length(text: str, kept: str) -> None:
    redacted = redact(text)
    assert redacted.endswith("[mot de passe masqué] " + kept) and redacted.count("[mot de passe masqué]") == 1


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        # in capitals (a phone's caps lock), a capital X closing a word is part of it
        ("j'ai essayé FOX TROT", "FOX TROT"),
        ("mot de passe : LINUX FOX TROT", "LINUX FOX TROT"),
        ("LINUX ROUGE DANSE c'est mon mdp", "LINUX ROUGE DANSE"),
        ("mon mdp c'est Xylophone", "Xylophone"),
        ("marie.dupont2 / Tournesol", "Tournesol"),  # a slash: the credentials typed together
        ("j'ai essayé tournesol, rien à faire", "tournesol"),
        ("marie.dupont Tortue;X", "Tortue;X"),
        ("mot de passe : marie.dupont.X", "marie.dupont.X"),  # shaped like an identifier, but not one
        (  # a quoted secret far into the message
            'bonjour, je suis la maman de marie.dupont et son mot de passe est "le petit chat gris"',
            "le petit chat gris",
        ),
    ],
)
def test_more_passwords_are_removed(text: str, secret: str) -> None:
    redacted = redact(text)
    assert all(word not in redacted for word in secret.split()) and "[mot de passe masqué]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "marie.dupont Versailles.",
        "mon identifiant est marie.dupont cela ne marche toujours pas",
        'mon fils marie.dupont "en seconde" ne peut pas se connecter',
        "j'ai tapé Marie Dupont Lucas Martin Chloé Bernard, rien ne marche",  # a list of names, not a password
        "j'ai tapé vite le code reçu\nmerci",
        "ça c'est mon mdp qui ne marche pas",
        "depuis le 12/09 c'est mon mdp qui bloque",
        "mon mdp provisoire 12/09 ne marche pas",
        "j'ai tapé 0751234A, rien ne s'affiche",
        "je ne sais plus ce que j'ai tapé",
        'le mot de passe est "" et le site dit "incorrect"',
        'mon mot de passe est "refusé par le site qui affiche un message d\'erreur très long que je ne comprends pas"',
    ],
)
def test_more_ordinary_messages_stay_readable(text: str) -> None:
    assert redact(text) == text and not contains_password(text)
