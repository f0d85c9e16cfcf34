"""Nothing personal leaves in a training example: the redaction runs again and identifiers become placeholders,
whatever users typed (`bot.core.anonymise`)."""

from __future__ import annotations

import pytest

from bot.core.anonymise import CODE, EMAIL, FIRST_NAME, FULL_NAME, LOGIN, PHONE, SECRET, anonymise, has_content
from bot.core.identifiers import as_login

# the shipped config's formats: prenom.nom, the operator's test14 and F1abc
PATTERNS = (r"[a-z][a-z\-]*\.[a-z][a-z\-]*\d*", r"[a-z]{2,}\d{1,6}", r"f\d{1,8}[a-z]{2,8}")


def clean(text: str) -> str:
    return anonymise(text, lambda word: as_login(word, PATTERNS) is not None)


@pytest.mark.parametrize(
    ("typed", "personal", "placeholder"),
    [
        ("mon identifiant c'est marie.dupont2 et ça marche pas", "marie.dupont2", LOGIN),
        ("MARIE.DUPONT ne passe pas", "MARIE.DUPONT", LOGIN),
        ("compte test14 bloqué", "test14", LOGIN),
        ("mon uid F1abc ne marche pas", "F1abc", LOGIN),
        ("(camille.rousseau) bloquée", "camille.rousseau", LOGIN),
        ("écrivez à Marie.Dupont+ent@Gmail.COM svp", "Marie.Dupont+ent@Gmail.COM", EMAIL),
        ("mon adresse [adresse m***t@g***.com] ne reçoit rien", "m***t@g***.com", EMAIL),
        ("rappelez moi au 06 12 34 56 78", "06 12 34 56 78", PHONE),
        ("rappelez moi au +33 6 12 34 56 78 svp", "6 12 34 56 78", PHONE),
        ("tel 06.12.34.56.78", "06.12.34.56.78", PHONE),
        ("j'ai reçu le 483920 mais rien", "483920", CODE),
        ("son numéro INE 0123456789K", "0123456789K", SECRET),  # the redaction takes it for a password first
        ("numéro élève 12345678 perdu", "12345678", CODE),
        ("mon mdp c'est Soleil2024! et ça marche pas", "Soleil2024!", SECRET),
        ("mot de passe : tournesol bleu et rien", "tournesol", SECRET),
        ("je m'appelle Marie Dupont et je suis perdue", "Dupont", FULL_NAME),
        ("je m'appelle marie dupont et je suis perdue", "dupont", FULL_NAME),
        ("mon nom est DURAND", "DURAND", FIRST_NAME),
        ("bonjour Mme Lefèvre, mon compte", "Lefèvre", FIRST_NAME),
        ("mon fils Lucas n'arrive pas à se connecter", "Lucas", FIRST_NAME),
        ("c'est pour Inès qui est en seconde", "Inès", FIRST_NAME),
        ("Camille Rousseau ne peut pas se connecter", "Rousseau", FULL_NAME),
        ("le compte de Jean-Pierre Martin est bloqué", "Jean-Pierre", FULL_NAME),
        ("le lien https://ent.example.fr/adresse/valider?jeton=abcdef0123456789 ne marche pas", "jeton", "https://"),
    ],
)
def test_each_identifier_becomes_its_placeholder(typed: str, personal: str, placeholder: str) -> None:
    cleaned = clean(typed)
    assert personal not in cleaned and placeholder in cleaned, cleaned


def test_what_is_not_personal_stays_as_typed() -> None:
    typed = "mon lycée 0751234A sur monlycee.net, le ticket #12 du 12/09, c'est bloqué depuis 8h30 sur CESAME"
    assert clean(typed) == typed
    assert clean("mon fils arrive pas a se connecter sur l'ENT") == "mon fils arrive pas a se connecter sur l'ENT"
    assert clean("MON COMPTE EST BLOQUÉ DEPUIS HIER") == "MON COMPTE EST BLOQUÉ DEPUIS HIER"  # shouting, no names


NASTY = [
    '[admin](username) veut un {"entity": "email", "value": "x"}',
    "- intent: greet\n  examples: |\n    - pirate",
    "# pas un commentaire: | > & * ! % @ `",
    "mot\u200bde\u200bpasse\u202e oublié\u2028deux\u2029lignes\x00\x1b[31m",
    "emoji 😀 et \ud800 surrogate seule",
    "\t  espaces   partout \r\n",
    "marie.dupont@example.org;paul.martin@example.org,jean.d@ac-paris.fr",
    "a" * 3000,
]


@pytest.mark.parametrize("typed", NASTY)
def test_nasty_inputs_come_out_on_one_line_with_no_annotation_and_unchanged_by_a_second_pass(typed: str) -> None:
    cleaned = clean(typed)
    assert "\n" not in cleaned and "\r" not in cleaned and "[" not in cleaned and "{" not in cleaned
    assert all(c.isprintable() for c in cleaned), cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert clean(cleaned) == cleaned
    assert not {"marie", "paul", "jean.d", "ac-paris"} & set(cleaned.replace(".", " ").replace("@", " ").split())


def test_placeholders_are_fixed_points() -> None:
    every = f"{LOGIN} {EMAIL} {PHONE} {CODE} {SECRET} {FULL_NAME} et {FIRST_NAME}"
    assert clean(every) == every


def test_a_text_of_placeholders_alone_says_nothing() -> None:
    assert not has_content(clean("marie.dupont2 06 12 34 56 78"))
    assert has_content(clean("marie.dupont2 bloqué"))
