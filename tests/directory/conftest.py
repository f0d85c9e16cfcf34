"""Directory fixtures: both adapters on the same contract fixture, and throw-away slapd servers.

`contract_slapd`: a slapd with the project schema (bot/directory/ldap_schema), empty, filled by
`LdapDirectory.load_fixture`. `reference_slapd`: a slapd with the netocentre operator's published schema
and sample entries, read at test time from ../shared/reference/recia-ldap (never copied).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import AppConfig, LdapSettings
from bot.directory.fixture import DirectoryFixture, load_fixture
from bot.directory.ldap import LdapDirectory
from bot.directory.port import Directory
from bot.directory.sql import SqlDirectory
from bot.storage.activation import ActivationStore
from bot.storage.db import make_engine, session_factory
from tests.support.slapd import Slapd, base_entries, slapd_available

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "bot" / "directory" / "ldap_schema" / "clef-ent.schema"
CONTRACT_FIXTURE = ROOT / "tests" / "data" / "directory_contract.yml"
REFERENCE = Path(os.environ.get("CLEF_RECIA_REFERENCE", ROOT.parent / "shared" / "reference" / "recia-ldap"))
# slapd.conf.reference's include order
REFERENCE_SCHEMAS = (
    "11-esco-const",
    "13-esco-personne",
    "16-esco-addons",
    "17-esco-structure",
    "21-esco-groupe",
    "31-esco-mail",
    "51-esco-application",
    "05-ldappc",
)
REFERENCE_LDIFS = ("01-ou.ldif", "21-structures.ldif", "31-people.ldif")
SUFFIX = "dc=esco-centre,dc=fr"
ROOTDN = "cn=admin,ou=administrateurs,dc=esco-centre,dc=fr"


def _need_slapd() -> None:
    if not slapd_available():
        pytest.fail(
            "Debian's slapd is not installed (/usr/sbin/slapd, /usr/sbin/slapadd): run `make test` "
            "or deselect with -m 'not ldap'"
        )


@pytest.fixture(scope="session")
def contract_fixture() -> DirectoryFixture:
    return load_fixture(CONTRACT_FIXTURE)


@pytest.fixture(scope="session")
def contract_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    _need_slapd()
    server = Slapd(tmp_path_factory.mktemp("slapd-contract"), SUFFIX, ROOTDN, schemas=[SCHEMA])
    server.write_conf()
    server.slapadd(base_entries(SUFFIX, ROOTDN, ["people", "structures", "administrateurs"]))
    server.start()
    yield server
    server.stop()


def reference_ldif() -> str:
    """The sample LDIF made loadable by slapadd: `changetype`/`version` lines dropped, suffix entry added."""
    missing = [name for name in REFERENCE_LDIFS if not (REFERENCE / "ldif" / name).is_file()]
    missing += [name for name in REFERENCE_SCHEMAS if not (REFERENCE / "schema" / f"{name}.schema").is_file()]
    if missing:
        pytest.fail(
            f"the operator's reference directory is missing: {REFERENCE} lacks {', '.join(missing)} "
            "(set CLEF_RECIA_REFERENCE to its folder)"
        )
    blocks = [base_entries(SUFFIX, ROOTDN, [])]
    for name in REFERENCE_LDIFS:
        text = (REFERENCE / "ldif" / name).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.lower().startswith(("changetype:", "version:"))]
        blocks.append("\n".join(lines).strip() + "\n")
    return "\n\n".join(blocks) + "\n"


def _reference_server(folder: Path) -> Iterator[Slapd]:
    _need_slapd()
    ldif = reference_ldif()
    server = Slapd(
        folder,
        SUFFIX,
        ROOTDN,
        schemas=[REFERENCE / "schema" / f"{name}.schema" for name in REFERENCE_SCHEMAS],
        system_schemas=("core", "cosine", "inetorgperson"),
    )
    server.write_conf()
    server.slapadd(ldif)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reference_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """The reference directory shared by the tests that only read it (a test that writes takes its own)."""
    yield from _reference_server(tmp_path_factory.mktemp("slapd-reference"))


@pytest.fixture
def own_reference_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A reference directory for one test that changes it, so that no other test sees the change."""
    yield from _reference_server(tmp_path_factory.mktemp("slapd-reference-own"))


@pytest.fixture
def activation(database_url: str) -> Iterator[ActivationStore]:
    engine = make_engine(database_url)
    yield ActivationStore(session_factory(engine))
    engine.dispose()


def ldap_settings(server: Slapd, **overrides: object) -> LdapSettings:
    return LdapSettings(url=server.url, bind_dn=server.rootdn, connect_timeout_seconds=3, **overrides)


@pytest.fixture
def make_ldap(contract_slapd: Slapd, activation: ActivationStore, config: AppConfig) -> Callable[..., LdapDirectory]:
    def make(**overrides: object) -> LdapDirectory:
        settings = ldap_settings(contract_slapd, allow_fixture_load=True, **overrides)
        return LdapDirectory(settings, activation, contract_slapd.password, tenant_for_uai=config.tenant_for_uai)

    return make


@pytest.fixture(params=["sql", pytest.param("ldap", marks=pytest.mark.ldap)])
def directory(request: pytest.FixtureRequest, database_url: str, contract_fixture: DirectoryFixture) -> Directory:
    """Each adapter, filled with the contract fixture."""
    if request.param == "sql":
        engine = make_engine(database_url)
        sessions = session_factory(engine)
        built: Directory = SqlDirectory(sessions, ActivationStore(sessions))
        request.addfinalizer(engine.dispose)
    else:
        built = request.getfixturevalue("make_ldap")()
    built.load_fixture(contract_fixture)
    return built
