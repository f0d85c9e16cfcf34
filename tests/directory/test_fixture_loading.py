"""Loading a directory fixture of a région's size: every entry checked, a login given twice refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory.fixture import FixtureError, load_fixture, parse_fixture

SCHOOL = {"uai": "0750001A", "name": "Lycée Jean Moulin", "tenant": "monlycee"}


def _accounts(count: int) -> list[dict[str, str]]:
    return [{"login": f"eleve.{n}", "profile": "student", "state": "active", "uai": "0750001A"} for n in range(count)]


def test_a_login_given_twice_among_thousands_is_refused_by_name() -> None:
    accounts = _accounts(5000)
    accounts.insert(4321, {"login": "Eleve.17", "profile": "teacher", "state": "provisional"})  # case aside, a twin
    with pytest.raises(FixtureError, match=r"^directory fixture: login 'eleve\.17' appears twice$"):
        parse_fixture({"establishments": [SCHOOL], "accounts": accounts})


def test_of_several_logins_given_twice_the_first_in_order_is_named() -> None:
    accounts = [*_accounts(300), {"login": "eleve.250", "profile": "student", "state": "active"}]
    accounts += [{"login": "eleve.120", "profile": "student", "state": "active"}] * 3
    with pytest.raises(FixtureError, match=r"login 'eleve\.120' appears twice"):
        parse_fixture({"accounts": accounts})


def test_a_fixture_without_twins_loads_every_account_in_order() -> None:
    fixture = parse_fixture({"establishments": [SCHOOL], "accounts": _accounts(3000)})
    assert [a.login for a in fixture.accounts] == [f"eleve.{n}" for n in range(3000)]


def test_a_fixture_file_with_a_twin_names_the_file_and_the_login(tmp_path: Path) -> None:
    path = tmp_path / "region.yml"
    lines = ["accounts:"]
    for login in ("anna.b", "bruno.c", "anna.b"):
        lines += [f"- login: {login}", "  profile: student", "  state: active"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FixtureError, match=r"^region\.yml: directory fixture: login 'anna\.b' appears twice$"):
        load_fixture(path)


def test_a_broken_fixture_file_quotes_the_line_at_fault(tmp_path: Path) -> None:
    path = tmp_path / "region.yml"
    path.write_text("accounts:\n- login: anna.b\n  profile: [student\n  state: active\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="not valid YAML") as raised:
        load_fixture(path)
    assert "profile: [student" in str(raised.value)  # the line as written, under the position given
