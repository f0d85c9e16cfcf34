"""Identifiers as the operators issue them: each tenant's formats are configuration."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

from actions.common import clean_login, login_patterns
from bot.config import AppConfig, ConfigError, load_config, parse_config, read_config_file
from bot.core.accounts import LOGIN_PATTERN, login_pattern_problem, matches_login
from bot.services import current as installed_services

ROOT = Path(__file__).resolve().parents[2]
RECIA_SAMPLE = r"[a-z]{2,}\d{1,6}"
REFERENCE = Path(os.environ.get("CLEF_RECIA_REFERENCE", ROOT.parent / "shared" / "reference" / "recia-ldap"))
REFERENCE_PEOPLE = REFERENCE / "ldif" / "31-people.ldif"


@pytest.mark.parametrize("login", ["marie.dupont", "marie.dupont2", "Marie.Dupont", "jean-pierre.martin-durand12"])
def test_prenom_nom_is_the_default_format(login: str) -> None:
    assert matches_login(login)
    assert matches_login(login, [LOGIN_PATTERN])


@pytest.mark.parametrize(
    "text",
    [
        "test14",
        "marie",
        "marie.",
        ".dupont",
        "marie.dupont ",
        " marie.dupont",
        "2marie.dupont",
        "marie.dupont@monlycee.net",
        "marie.dupont.x",
        "",
        "a." + "b" * 70,
    ],
)
def test_anything_else_is_not_a_prenom_nom(text: str) -> None:
    assert not matches_login(text)


def test_a_tenant_pattern_accepts_the_operators_sample_logins() -> None:
    patterns = [LOGIN_PATTERN, RECIA_SAMPLE]
    for login in ("test1", "TEST14", "test1000", "marie.dupont2"):
        assert matches_login(login, patterns)
    for text in ("test", "t1", "test1234567", "14test", "test 14", "soleil2024!", "x" * 60 + "1234567"):
        assert not matches_login(text, patterns)


def test_identifiers_are_at_most_64_characters() -> None:
    assert matches_login("a" * 58 + "123456", [RECIA_SAMPLE.replace("{2,}", "+")])
    assert not matches_login("a" * 59 + "123456", [RECIA_SAMPLE.replace("{2,}", "+")])


def test_the_shipped_config_gives_every_tenant_prenom_nom_and_netocentre_its_sample_logins() -> None:
    config = load_config(ROOT / "config.yml")
    assert config.tenant("monlycee").login_patterns == [LOGIN_PATTERN]
    netocentre = config.tenant("netocentre").login_patterns
    assert LOGIN_PATTERN in netocentre
    logins = [
        line.split(":", 1)[1].strip()
        for line in REFERENCE_PEOPLE.read_text(encoding="utf-8").splitlines()
        if line.startswith("ENTPersonLogin:")
    ]
    assert len(logins) == 17
    assert all(matches_login(login, netocentre) for login in logins)
    assert not any(matches_login(login, config.tenant("monlycee").login_patterns) for login in logins)


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        (["[a-z"], "tenants.netocentre.login_patterns: '[a-z' is not a valid regular expression"),
        (["(a|b"], "is not a valid regular expression"),
        ([r"\d*"], r"'\\d*' matches an empty identifier"),
        ([], "tenants.netocentre.login_patterns"),
        ("[a-z]+", "tenants.netocentre.login_patterns"),
    ],
)
def test_a_wrong_login_pattern_stops_the_program_with_one_line(patterns: object, message: str) -> None:
    raw = read_config_file(ROOT / "config.yml")
    raw["tenants"]["netocentre"]["login_patterns"] = patterns
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert "\n" not in str(error.value) and message in str(error.value)


def test_login_pattern_problem() -> None:
    assert login_pattern_problem(LOGIN_PATTERN) is None and login_pattern_problem(RECIA_SAMPLE) is None
    assert login_pattern_problem("a{2") is None  # a literal brace in Python's re
    assert "not a valid" in (login_pattern_problem("*a") or "")
    assert login_pattern_problem("a?") == "matches an empty identifier"


# --- actions.common.clean_login ---------------------------------------------------------------------


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> AppConfig:
    """The actions see the shipped configuration (no database: clean_login only reads the config)."""
    config = load_config(ROOT / "config.yml")
    monkeypatch.setattr(installed_services, "_installed", (types.SimpleNamespace(config=config), None))
    return config


@pytest.mark.parametrize(
    ("value", "login"),
    [
        ("marie.dupont", "marie.dupont"),
        ("  Marie.Dupont2 ", "marie.dupont2"),
        ("Marie Dupont", "marie.dupont"),
        ("marie.dupont.", "marie.dupont"),
        ("TEST14", "test14"),
        ("test1000 !", "test1000"),
        ("test 14", None),
        ("Test14", "test14"),
        ("Soleil2026!", None),  # a password typed where the identifier is asked: never looked up nor repeated
        ("Soleil2026", None),
        ("Test1000", None),  # the redaction masks it as a password: so does the identifier check
        ("Marie.Dupont2", "marie.dupont2"),  # prenom.nom as before, whatever its case
        ("soleil", None),
        ("marie dupont martin", None),
        ("*)(uid=*", None),
        (None, None),
        (42, None),
        ("x" * 100 + "1", None),
    ],
)
def test_clean_login_accepts_any_configured_tenant_format(configured, value: object, login: str | None) -> None:
    assert clean_login(value) == login


def test_clean_login_reads_the_patterns_from_the_configuration(configured) -> None:
    assert login_patterns()[:2] == (LOGIN_PATTERN, RECIA_SAMPLE)
    assert clean_login("F1abc") == "f1abc"  # the operator's uids, which its CAS takes as the principal
    assert clean_login("test14", patterns=[LOGIN_PATTERN]) is None
    assert clean_login("Marie Dupont", patterns=[LOGIN_PATTERN]) == "marie.dupont"
    assert clean_login("ab-12", patterns=[r"[a-z]{2}-\d{2}"]) == "ab-12"
    assert clean_login("marie.dupont", patterns=[r"[a-z]{2}-\d{2}"]) is None


def test_clean_login_without_the_netocentre_pattern_refuses_sample_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = read_config_file(ROOT / "config.yml")
    del raw["tenants"]["netocentre"]["login_patterns"]
    monkeypatch.setattr(installed_services, "_installed", (types.SimpleNamespace(config=parse_config(raw)), None))
    assert clean_login("test14") is None and clean_login("marie.dupont") == "marie.dupont"
