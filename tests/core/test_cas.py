"""The CAS 3 answer read, and what its attributes say of the user: the account, the school, ADML membership."""

from __future__ import annotations

import re

import pytest

from bot.core.cas import (
    AttributeNames,
    CasFailure,
    CasResponseError,
    CasSuccess,
    identity_of,
    login_url,
    parse_validation,
    plausible_state,
    plausible_ticket,
    service_url,
    validation_url,
    values,
)

NETOCENTRE_ADML = re.compile(r"[a-z0-9]+:admin:local:admin_.*_(?P<uai>\d{7}[A-Z])")

SUCCESS = """<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>F37crou</cas:user>
    <cas:attributes>
      <cas:ENTPersonLogin>camille.rousseau</cas:ENTPersonLogin>
      <cas:ESCOUAI>0370034E</cas:ESCOUAI>
      <cas:ESCOUAI>0450012D</cas:ESCOUAI>
      <cas:isMemberOf>esco:Etablissements:BALZAC_0370034E:Eleves</cas:isMemberOf>
      <cas:isMemberOf>esco:admin:local:admin_LYCEE VOLTAIRE_0450012D</cas:isMemberOf>
      <cas:mail>camille.rousseau@netocentre.fr</cas:mail>
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"""


def test_a_success_gives_the_principal_and_every_value_of_a_repeated_attribute() -> None:
    answer = parse_validation(SUCCESS.encode())
    assert isinstance(answer, CasSuccess)
    assert answer.principal == "F37crou"
    assert answer.attributes["ESCOUAI"] == ("0370034E", "0450012D")
    assert answer.attributes["mail"] == ("camille.rousseau@netocentre.fr",)


def test_the_older_name_value_form_of_attributes_is_read_too() -> None:
    body = """<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>
      <cas:user>u1</cas:user><cas:attributes>
      <cas:attribute name="isMemberOf" value="g1"/><cas:attribute name="isMemberOf" value="g2"/>
      </cas:attributes></cas:authenticationSuccess></cas:serviceResponse>"""
    answer = parse_validation(body)
    assert isinstance(answer, CasSuccess)
    assert answer.attributes == {"isMemberOf": ("g1", "g2")}


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("INVALID_TICKET", "ticket_refused"),  # replayed, or expired
        ("INVALID_SERVICE", "foreign_service"),
        ("INVALID_REQUEST", "cas_refused"),
        ("INTERNAL_ERROR", "cas_refused"),
    ],
)
def test_a_failure_says_why_in_the_words_of_the_protocol(code: str, reason: str) -> None:
    body = (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        f'<cas:authenticationFailure code="{code}">Ticket ST-1 not recognized</cas:authenticationFailure>'
        "</cas:serviceResponse>"
    )
    answer = parse_validation(body)
    assert isinstance(answer, CasFailure)
    assert (answer.code, answer.reason) == (code, reason)


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>Erreur 502</body></html>",
        "pas du XML",
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess/></cas:serviceResponse>',
        '<!DOCTYPE r [<!ENTITY a "aaaa">]><cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        "<cas:authenticationSuccess><cas:user>&a;</cas:user></cas:authenticationSuccess></cas:serviceResponse>",
    ],
)
def test_what_is_not_a_cas_answer_is_refused(body: str) -> None:
    with pytest.raises(CasResponseError):
        parse_validation(body)


@pytest.mark.parametrize(
    ("released", "expected"),
    [
        ({"ESCOUAI": "0370034E"}, ("0370034E",)),  # one string
        ({"ESCOUAI": ["0370034E", "0450012D"]}, ("0370034E", "0450012D")),  # a list
        ({"ESCOUAI": ("0370034E",)}, ("0370034E",)),
        ({"escouai": [" 0370034E ", ""]}, ("0370034E",)),  # any case, blanks dropped
        ({"ESCOUAI": None}, ()),
        ({}, ()),
    ],
)
def test_a_value_may_come_as_a_string_or_a_list(released: dict[str, object], expected: tuple[str, ...]) -> None:
    assert values(released, "ESCOUAI") == expected


def _said(attributes: dict[str, object], principal: str = "F37crou") -> CasSuccess:
    return CasSuccess(principal, {name: values(attributes, name) for name in attributes})


def test_the_netocentre_attributes_say_who_the_user_is_and_their_school() -> None:
    identity = identity_of(
        _said(
            {
                "uid": "F37crou",
                "ENTPersonLogin": "Camille.Rousseau",
                "ESCOUAI": ["0450012D", "0370034E"],
                "ESCOUAICourant": "0370034E",
                "ENTPersonProfils": "National_ELV",
                "mail": "camille.rousseau@netocentre.fr",
            }
        )
    )
    assert identity.login == "camille.rousseau"  # the account's identifier, not the uid principal
    assert identity.school == "0370034E"  # the current school first
    assert identity.schools == ("0450012D", "0370034E")
    assert identity.profiles == ("National_ELV",)
    assert identity.mail == "camille.rousseau@netocentre.fr"


def test_without_a_login_attribute_the_principal_is_the_identifier_and_the_first_school_is_taken() -> None:
    identity = identity_of(_said({"ESCOUAI": ["0450012D", "pas une UAI"]}, principal="Jules.Faure"))
    assert (identity.login, identity.school, identity.schools) == ("jules.faure", "0450012D", ("0450012D",))


def test_other_attribute_names_are_read_as_configured() -> None:
    names = AttributeNames(login="login", school="rne", schools=None, profiles=None, groups="groups", mail=None)
    identity = identity_of(_said({"login": "lea.blanc", "rne": "0450012d", "ENTPersonLogin": "ignored"}), names)
    assert (identity.login, identity.school, identity.mail) == ("lea.blanc", "0450012D", None)


def test_adml_membership_comes_from_the_groups_the_pattern_matches() -> None:
    groups = [
        "esco:Etablissements:BALZAC_0370034E:Profs",
        "esco:admin:local:admin_LYCEE VOLTAIRE_0450012D",
        "clg37:admin:local:admin_COLLEGE_0377777U",
        "esco:admin:local:admin_BALZAC_0370034E:sous-groupe",  # not wholly matched
    ]
    identity = identity_of(_said({"isMemberOf": groups}), adml_groups=NETOCENTRE_ADML)
    assert identity.adml_of == ("0377777U", "0450012D")


def test_the_cas_says_not_adml_when_no_group_matches_and_says_nothing_without_a_pattern() -> None:
    plain = _said({"isMemberOf": "esco:Etablissements:BALZAC_0370034E:Eleves"})
    assert identity_of(plain, adml_groups=NETOCENTRE_ADML).adml_of == ()
    assert identity_of(plain).adml_of is None


def test_the_service_url_carries_the_state_and_the_urls_are_built_on_the_cas_base() -> None:
    service = service_url("https://assistance.example.fr/", "abc_DEF-123")
    assert service == "https://assistance.example.fr/cas/callback?state=abc_DEF-123"
    assert login_url("https://cas.example.fr/cas/", service) == (
        "https://cas.example.fr/cas/login?service=https%3A%2F%2Fassistance.example.fr%2Fcas%2Fcallback%3Fstate%3Dabc_DEF-123"
    )
    assert validation_url("https://cas.example.fr/cas", service, "ST-1").startswith(
        "https://cas.example.fr/cas/p3/serviceValidate?service=https%3A%2F%2F"
    )
    assert validation_url("https://cas.example.fr/cas", service, "ST-1").endswith("&ticket=ST-1")


@pytest.mark.parametrize(
    ("state", "plausible"), [("a" * 43, True), ("a" * 19, False), ("a b" * 10, False), ("é" * 30, False)]
)
def test_only_a_state_as_issued_is_looked_up(state: str, plausible: bool) -> None:
    assert plausible_state(state) is plausible


@pytest.mark.parametrize(
    ("ticket", "plausible"), [("ST-1-abc", True), ("", False), ("ST 1", False), ("x" * 257, False)]
)
def test_only_a_ticket_of_printable_characters_is_sent_to_the_cas(ticket: str, plausible: bool) -> None:
    assert plausible_ticket(ticket) is plausible
