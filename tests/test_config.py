"""config.yml is validated at start: a mistake stops the program with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config, parse_config, read_config_file

ROOT = Path(__file__).resolve().parent.parent


def raw_config() -> dict:
    return read_config_file(ROOT / "config.yml")


def test_the_shipped_config_has_both_tenants_from_the_seeds() -> None:
    config = load_config(ROOT / "config.yml")
    assert set(config.tenants) == {"monlycee", "netocentre"}
    monlycee, netocentre = config.tenant("monlycee"), config.tenant("netocentre")
    assert str(monlycee.cesame_url) == "https://cesame.iledefrance.fr/"
    assert str(monlycee.ent_url) == "https://ent.iledefrance.fr/"
    assert str(netocentre.ent_url).rstrip("/") == "https://lycees.netocentre.fr"
    assert (monlycee.school_holiday_zone, netocentre.school_holiday_zone) == ("C", "B")
    assert netocentre.validation_link_hours == 48
    assert netocentre.password_policy.min_length == 8
    assert config.tenant_for_uai("0751234A") == "monlycee"
    assert config.tenant_for_uai("0451234B") == "netocentre"
    assert config.tenant_for_uai("0131234C") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["storage"].update(urll="x"), "storage.urll: unknown key"),
        (lambda c: c["web"].update(port="huit"), "web.port: "),
        (lambda c: c["tenants"]["monlycee"].update(ent_url="pas une url"), "tenants.monlycee.ent_url: "),
        (lambda c: c["tenants"]["netocentre"].pop("ent_url"), "tenants.netocentre.ent_url: required key is missing"),
        (lambda c: c["tenants"]["monlycee"].update(school_holiday_zone="D"), "tenants.monlycee.school_holiday_zone"),
        (lambda c: c["rate_limits"]["lookups_per_chat"].update(count=0), "rate_limits.lookups_per_chat.count"),
        (
            lambda c: c["tenants"]["monlycee"]["freeze_windows"].append({"start": "2026-08-01", "end": "2026-07-01"}),
            "tenants.monlycee.freeze_windows.2",
        ),
    ],
)
def test_a_wrong_key_type_or_url_is_one_line_naming_the_key(change, message: str) -> None:
    raw = raw_config()
    change(raw)
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    text = str(error.value)
    assert "\n" not in text
    assert message in text


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.yml"
    bad.write_text("tenants:\n  monlycee: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yml: line \d+ is not valid YAML"):
        load_config(bad)


def test_the_program_stops_with_one_line_on_a_bad_config(tmp_path: Path) -> None:
    raw = raw_config()
    raw["web"]["colour"] = "blue"
    bad = tmp_path / "config.yml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(bad), "migrate"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: config.yml: web.colour: unknown key"


def test_secrets_come_from_the_environment_never_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import secret

    raw = raw_config()
    raw["directory"]["ldap"]["password"] = "hunter2"
    with pytest.raises(ConfigError, match=r"directory\.ldap\.password: unknown key"):
        parse_config(raw)
    monkeypatch.setenv("CLEF_LDAP_PASSWORD", "  s3cret ")
    assert secret("CLEF_LDAP_PASSWORD") == "s3cret"
    monkeypatch.setenv("CLEF_LDAP_PASSWORD", "")
    assert secret("CLEF_LDAP_PASSWORD") is None


def test_an_unknown_time_zone_is_refused_at_validation() -> None:
    raw = raw_config()
    raw["assistant"]["timezone"] = "Mars/Olympus"
    with pytest.raises(ConfigError, match=r"assistant.timezone: .*unknown time zone 'Mars/Olympus'"):
        parse_config(raw)


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.yml"
    bad.write_bytes((ROOT / "config.yml").read_bytes() + "# café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"config.yml: is not UTF-8 text \(byte 0xe9 at offset \d+\)"):
        load_config(bad)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )


def _write(raw: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_an_unreachable_postgresql_is_one_line_and_exit_2(tmp_path: Path) -> None:
    raw = raw_config()
    raw["storage"]["url"] = "postgresql+psycopg://clef:secret-pw@127.0.0.1:1/clef"
    config = _write(raw, tmp_path / "config.yml")
    for command in ("migrate", "chat"):
        done = _cli("--config", str(config), command)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: the database postgresql+psycopg://clef:***@127.0.0.1:1/clef cannot be reached")
        assert "secret-pw" not in line


def _migrated_config(tmp_path: Path, **directory: object) -> Path:
    raw = raw_config()
    raw["storage"]["url"] = f"sqlite:///{tmp_path / 'clef.db'}"
    raw["directory"].update(directory)
    config = _write(raw, tmp_path / "config.yml")
    assert _cli("--config", str(config), "migrate").returncode == 0
    return config


def test_a_directory_fixture_that_is_missing_unset_or_not_utf8_is_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yml"
    latin.write_bytes("accounts: []\n# café\n".encode("latin-1"))
    cases = [
        (_migrated_config(tmp_path), [str(tmp_path / "absent.yml")], "absent.yml: cannot be read (No such file"),
        (_migrated_config(tmp_path), [str(latin)], "latin.yml: is not UTF-8 text"),
        (_migrated_config(tmp_path, fixture=None), [], "no directory fixture: give one"),
    ]
    for config, args, message in cases:
        done = _cli("--config", str(config), "load-directory", *args)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


NETOCENTRE_CAS = {
    "url": "https://cas.example.fr/cas",
    "adml_groups": r"[a-z0-9]+:admin:local:admin_.*_(?P<uai>\d{7}[A-Z])",
}


def test_a_tenants_cas_reads_the_netocentre_attributes_by_default() -> None:
    raw = raw_config()
    raw["tenants"]["netocentre"]["cas"] = NETOCENTRE_CAS
    config = parse_config(raw)
    cas = config.tenant("netocentre").cas
    assert cas is not None and str(cas.url) == "https://cas.example.fr/cas"
    assert (cas.attributes.login, cas.attributes.school, cas.attributes.groups) == (
        "ENTPersonLogin",
        "ESCOUAICourant",
        "isMemberOf",
    )
    assert config.cas_tenants() == ["netocentre"]
    raw["web"]["enabled"] = False  # the return from the CAS is served by the web server: no CAS without it
    assert parse_config(raw).cas_tenants() == []
    assert load_config(ROOT / "config.yml").cas_tenants() == []  # off as shipped: `make run` needs no CAS


@pytest.mark.parametrize(
    ("cas", "message"),
    [
        ({"url": "pas une url"}, "tenants.netocentre.cas.url: "),
        ({**NETOCENTRE_CAS, "adml_groups": "admin_(.*)"}, "needs a named group (?P<uai>"),
        ({**NETOCENTRE_CAS, "adml_groups": "admin_(?P<uai>"}, "is not a valid regular expression"),
        (
            {**NETOCENTRE_CAS, "attributes": {"login": " "}},
            "tenants.netocentre.cas.attributes.login: an attribute name",
        ),
        ({**NETOCENTRE_CAS, "attributes": {"uid": "uid"}}, "tenants.netocentre.cas.attributes.uid: unknown key"),
    ],
)
def test_a_wrong_cas_setting_is_one_line_naming_it(cas: dict, message: str) -> None:
    raw = raw_config()
    raw["tenants"]["netocentre"]["cas"] = cas
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n: n.update(freeze_notice_days=0), "notices.freeze_notice_days: input should be greater than or equal"),
        (lambda n: n.update(freeze_notice_days=90), "notices.freeze_notice_days: input should be less than or equal"),
        (lambda n: n.update(digest_weekday=7), "notices.digest_weekday"),
        (lambda n: n["rentree"].append({"start": "2026-10-01", "end": "2026-09-01"}), "notices.rentree.2: end"),
        (lambda n: n.update(send_from_hour=20, send_until_hour=8), "send_until_hour 8 must be after send_from_hour 20"),
        (lambda n: n.update(digest_hour=6), "digest_hour 6 is outside the sending hours"),
        (lambda n: n.update(activation_reminder_hours=720), "activation_reminder_hours 720 must be shorter"),
    ],
)
def test_a_wrong_notices_setting_is_one_line_naming_it(change, message: str) -> None:
    raw = raw_config()
    change(raw["notices"])
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert "\n" not in str(error.value) and message in str(error.value)


def test_the_shipped_notices_settings() -> None:
    notices = load_config(ROOT / "config.yml").notices
    assert notices.freeze_notice_days == 7 and notices.activation_reminder_hours == 72
    first = notices.rentree[0]
    assert (first.start.isoformat(), first.end.isoformat()) == ("2026-08-31", "2026-10-16")
