"""The patterns of the redaction one by one, at their edges: what each must hide, and the look-alikes it must keep.

Each case would change if a pattern's lookaround, quantifier or character class were loosened or tightened.
"""

from __future__ import annotations

import pytest

from bot.core.redaction import (
    identifier_rule,
    is_identifier,
    mask_email,
    password_spans,
    redact,
    safe_identifier,
    safe_target,
)


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        # addresses: a dotted domain is required; the address starts at a word boundary
        ("écrivez à marie.dupont@gmail.com svp", "écrivez à [adresse m***t@g***.com] svp"),
        ("mon adresse: a.b+c@sub.example.fr.", "mon adresse: [adresse a***c@s***.fr]."),
        ("mail marie@monlycee", "mail marie@monlycee"),
        ("a@b.c", "[adresse a***@b***.c]"),
        # phones: 0 or +33 then nine digits in pairs, with spaces, dots or dashes; not a longer number
        ("appelez le 06 12 34 56 78", "appelez le [téléphone masqué]"),
        ("tel 0612345678 fin", "tel [téléphone masqué] fin"),
        ("+33612345678", "[téléphone masqué]"),
        ("ou +33 6 12 34 56 78", "ou [téléphone masqué]"),
        ("numéro 06.12.34.56.78 ou 06-12-34-56-78", "numéro [téléphone masqué] ou [téléphone masqué]"),
        ("le 01 23 45 67 89.", "le [téléphone masqué]."),
        ("pas un téléphone 00 12 34 56 78", "pas un téléphone 00 12 34 56 78"),
        ("pas un téléphone 061234567890", "pas un téléphone 061234567890"),
        ("06 12 34 56 7", "06 12 34 56 7"),
        ("joindre 033 6 12 34 56 78", "joindre 033 6 12 34 56 78"),
        # one-time codes: exactly six digits, not a ticket number
        ("reçu 123456 hier", "reçu [code masqué] hier"),
        ("reçu 123456", "reçu [code masqué]"),
        ("reçu 1234567 hier", "reçu 1234567 hier"),
        ("reçu 12345 hier", "reçu 12345 hier"),
        ("reçu #123456 hier", "reçu #123456 hier"),
        # a lone password-like token: 8+ characters mixing letters and digits with a capital or a symbol
        ("Soleil2026! ne marche pas", "[mot de passe masqué] ne marche pas"),
        ("Abcdefg1 ne marche pas", "[mot de passe masqué] ne marche pas"),
        ("Abc1234 ne marche pas", "Abc1234 ne marche pas"),  # 7 characters
        ("abcdefgh1 ne marche pas", "abcdefgh1 ne marche pas"),  # no capital, no symbol
        # ... but never a school code, an identifier in any case, or a link
        ("0750001A est mon lycée", "0750001A est mon lycée"),
        ("Marie.Dupont2 ne marche pas", "Marie.Dupont2 ne marche pas"),
        ("voir https://ent.iledefrance.fr/Abc123xyz", "voir https://ent.iledefrance.fr/Abc123xyz"),
        ("mon mot de passe est Soleil2026!", "mon mot de passe est [mot de passe masqué]"),
    ],
)
def test_what_each_pattern_hides_and_keeps(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("marie.dupont@gmail.com", "m***t@g***.com"),
        ("ab@x.fr", "a***@x***.fr"),  # two letters: the last one would give half of it away
        ("abc@localhost", "a***c@localhost"),
    ],
)
def test_masked_addresses(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("marie.dupont", "marie.dupont"),
        (" Marie.Dupont ", "marie.dupont"),
        ("demande 42", "demande 42"),
        ("request 7", "request 7"),
        ("requete 7 ", "requete 7"),
        ("ticket 123456789012", "ticket 123456789012"),
        ("0750001A", "0750001A"),
        ("ticket 1234567890123", "[texte non conservé]"),  # 13 digits: not a reference
        ("demande  42", "[texte non conservé]"),
        ("Soleil2026!", "[texte non conservé]"),
        (None, None),
    ],
)
def test_what_an_audit_row_may_name(value: str | None, kept: str | None) -> None:
    assert safe_target(value) == kept


def test_a_tenant_identifier_rule_is_bounded_and_never_a_password() -> None:
    rule = identifier_rule([r"[a-z]{2,}\d{1,6}"])
    assert rule("test14") and rule("TEST14") and rule("marie.dupont")
    assert rule("a" * 62 + "12") and not rule("a" * 63 + "12")  # 64 characters at most
    assert not rule("") and not rule("  ") and not rule(14)
    assert not rule("Soleil2026")  # the tenant's form, but it reads as a password
    assert safe_identifier(" TEST14 ", rule) == "test14" and safe_identifier("Soleil2026!", rule) is None


def test_the_default_identifier_is_prenom_nom_in_any_case() -> None:
    assert is_identifier("Marie.Dupont2") and is_identifier(" marie.dupont ")
    assert not is_identifier("test14") and not is_identifier(None) and not is_identifier("marie dupont")


def _quoted_secret(length: int) -> str:
    return 'mon mot de passe est "' + "a" * length + '" merci'


def _quoted_phrase(length: int) -> str:
    """A quote of `length` characters opening with an ordinary word: whole as a secret, or read as words."""
    return 'mon mot de passe est "' + ("le " + "x" * length)[:length] + '" merci'


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        (_quoted_secret(1), [(21, 24)]),  # the quotes go with the secret
        (_quoted_secret(79), [(21, 102)]),  # quoted up to 80 characters ...
        (_quoted_secret(80), [(21, 103)]),  # ... beyond, read as words
        ('mon mot de passe est "" merci', []),  # empty quotes hold nothing
        (_quoted_phrase(79), [(21, 102)]),  # a quoted phrase, whole, up to 80 characters with its closing quote
        (_quoted_phrase(80), []),  # ... beyond, words: "le" is not a secret
        ("mot de passe : a, merci", [(15, 16)]),  # the comma after a secret is not part of it
        ("mon mot de passe est «tortue rouge» merci", [(21, 35)]),
        ("mon mdp c'est 'x y z' voila", [(14, 21)]),
        ("tortue rouge danse c'est mon mdp", [(0, 18)]),  # a passphrase before its announcer
        ("bonjour. tortue rouge danse c'est mon mdp", [(9, 27)]),  # from the start of its sentence
        ("ligne un\ntortue danse c'est mon mdp", [(9, 21)]),  # ... or of its line
        ("un deux trois quatre cinq six sept c'est mon mdp", [(3, 34)]),
        ("mon mdp est Soleil2026! et Lune2027!? ok", [(12, 23), (27, 37)]),
        ("mdp: abc, puis mdp: def", [(5, 8), (20, 23)]),
        ("mon mot de passe est soleil et ça marche pas", [(21, 27)]),
    ],
)
def test_where_a_secret_starts_and_ends(text: str, spans: list[tuple[int, int]]) -> None:
    assert password_spans(text) == spans
