"""What an ADML (or an agent) does for a school, in the rasa-sdk style: the accounts still to activate, as chat
lines and as a CSV file, and the decisions on users' reset requests.

What the ADML notices: which schools are listed (theirs, or the one they name among theirs, never another), the
lines and the file (one row per account, no cell a spreadsheet would run as a formula or split), and what each
decision answers.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.adml import CSV_HEADER, ActionDecideReset, ActionListUnactivated
from bot.core.accounts import Account, AccountState, Establishment, Profile
from bot.dialogue.domain import Domain
from bot.directory.fixture import DirectoryFixture
from bot.services import Services
from bot.texts import text
from tests.actions.rasa import ADML, OTHER_ADML, USER, Ran, run, tracker
from tests.conftest import SettableClock, demo_directory

NEVER, RESET = text("unactivated_state_never"), text("unactivated_state_reset")
TZ = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def installed(installed: Services, clock: SettableClock) -> Iterator[Services]:
    """The ADMLs' chats and lucas.martin's linked."""
    installed.links.link(USER, "lucas.martin", clock())
    installed.links.link("telegram:6003", "sylvie.durand", clock())  # ADML of 0370034E
    yield installed


def document(ran: Ran) -> dict[str, str]:
    (message,) = ran.messages
    custom = message.get("custom") or {}
    assert "document" in custom, message
    return dict(custom["document"])


def rows(ran: Ran) -> list[list[str]]:
    return list(csv.reader(io.StringIO(document(ran)["content"]), delimiter=";"))


async def listed(sender: str, domain: Domain, uai: str | None = None) -> Ran:
    entities: dict[str, Any] = {"uai": uai} if uai else {}
    return await run(ActionListUnactivated(), tracker(sender, "list_unactivated", **entities), domain)


# -- the accounts still to activate -----------------------------------------------------------------------------
async def test_an_adml_lists_their_schools_accounts_to_activate(installed: Services, domain: Domain) -> None:
    ran = await listed(ADML, domain)
    assert ran.events == [SlotSet("listed_logins", ["marie.dupont", "sophie.garnier"])]  # "et marie ?" names one
    assert ran.text.splitlines() == [
        text("unactivated_school", school="0750001A", count=2),
        text("unactivated_account_issued", login="marie.dupont", state=NEVER, issued="01/09/2026 à 08h00"),
        text("unactivated_account_issued", login="sophie.garnier", state=NEVER, issued="03/09/2026 à 08h00"),
    ]
    assert document(ran)["filename"] == text("unactivated_file_name", schools="0750001A")
    assert rows(ran) == [
        CSV_HEADER.split(";"),
        ["0750001A", "marie.dupont", "Marie", "Dupont", "student", NEVER, "01/09/2026 à 08h00"],
        ["0750001A", "sophie.garnier", "Sophie", "Garnier", "parent", NEVER, "03/09/2026 à 08h00"],
    ]


async def test_a_reset_account_is_listed_as_reset(installed: Services, domain: Domain) -> None:
    ran = await listed("telegram:6003", domain)
    assert text("unactivated_account_issued", login="theo.lefebvre", state=RESET, issued="18/11/2026 à 10h00") in (
        ran.text.splitlines()
    )
    assert ["0370034E", "theo.lefebvre", "Théo", "Lefebvre", "student", RESET, "18/11/2026 à 10h00"] in rows(ran)


@pytest.mark.parametrize(
    ("sender", "uai", "reason"),
    [
        (USER, None, "not_adml"),  # a linked user
        ("web:stranger", None, "not_adml"),
        (ADML, "0931234B", "other_school"),  # another school...
        (ADML, "0759999Z", "other_school"),  # ... reads as no school at all
    ],
)
async def test_only_an_adml_lists_and_only_their_schools(
    installed: Services, domain: Domain, sender: str, uai: str | None, reason: str
) -> None:
    ran = await listed(sender, domain, uai)
    assert ran.responses == ["utter_refused"] and ran.messages[0]["reason_text"] == text(f"refusal_{reason}")
    assert "custom" not in ran.messages[0] or not ran.messages[0]["custom"]


@pytest.mark.parametrize(
    ("uai", "response"),
    [(None, "utter_ask_school_for_list"), ("12345", "utter_unknown_school"), ("0759999Z", "utter_unknown_school")],
)
async def test_an_agent_names_a_school_that_exists(
    installed: Services, domain: Domain, uai: str | None, response: str
) -> None:
    installed.agent_senders.add("web-desk:agent")
    ran = await listed("web-desk:agent", domain, uai)
    assert ran.events == [] and ran.responses == [response]


async def test_an_agent_lists_the_school_named_however_typed(installed: Services, domain: Domain) -> None:
    installed.agent_senders.add("web-desk:agent")
    ran = await listed("web-desk:agent", domain, " 0931234b ")
    assert ran.text.splitlines()[0] == text("unactivated_school", school="0931234B", count=2)
    assert document(ran)["filename"] == text("unactivated_file_name", schools="0931234B")


# -- a directory of its own: two schools for one ADML, names a spreadsheet would run ------------------------------
def student(login: str, uai: str, **fields: Any) -> Account:
    return Account(login=login, profile=Profile.STUDENT, state=AccountState.PROVISIONAL, uai=uai, **fields)


@pytest.fixture
def two_schools(installed: Services, clock: SettableClock) -> Services:
    issued = dt.datetime(2026, 9, 1, 8, 0, tzinfo=TZ)
    accounts = (
        Account(
            login="anne.admin",
            profile=Profile.TEACHER,
            state=AccountState.ACTIVE,
            uai="0750098Y",
            ent_mail="anne.admin@monlycee.net",
            adml_of=("0750098Y", "0750099Z"),
        ),
        student("a.formule", "0750098Y", given_name='=HYPERLINK("http://x")', family_name="Dupont;Martin"),
        student("b.formule", "0750098Y", given_name="  @SUM(A1)", family_name="-2+3", provisional_issued_at=issued),
        student("c.formule", "0750098Y", given_name="＝1+1", family_name="Jean\nPierre"),
        student("d.plain", "0750098Y", given_name="Xavier", family_name="O'Neil"),
        student("e.spaced", "0750098Y", given_name="X-Ray", family_name=" \tDurand"),
        student("f.unnamed", "0750098Y"),
    )
    schools = (
        Establishment("0750098Y", "Lycée des Formules", "monlycee"),
        Establishment("0750099Z", "Collège Tranquille", "monlycee"),
    )
    installed.directory.load_fixture(DirectoryFixture(schools, accounts))
    installed.links.link("web:anne", "anne.admin", clock())
    return installed


async def test_no_cell_of_the_file_runs_as_a_formula_or_spills(two_schools: Services, domain: Domain) -> None:
    ran = await listed("web:anne", domain, "0750098Y")
    table = rows(ran)
    assert [row[1] for row in table[1:]] == ["a.formule", "b.formule", "c.formule", "d.plain", "e.spaced", "f.unnamed"]
    assert all(len(row) == len(CSV_HEADER.split(";")) for row in table)  # one cell per field, one row per account
    names = [(row[2], row[3]) for row in table[1:]]
    assert names == [
        ('\'=HYPERLINK("http://x")', "Dupont;Martin"),
        ("'  @SUM(A1)", "'-2+3"),
        ("'＝1+1", "Jean\nPierre"),
        ("Xavier", "O'Neil"),
        ("X-Ray", "' \tDurand"),  # a tab after spaces can start a formula too
        ("", ""),  # no name on record
    ]
    (plain,) = [line for line in document(ran)["content"].splitlines() if "d.plain" in line]
    assert plain == ";".join(["0750098Y", "d.plain", "Xavier", "O'Neil", "student", NEVER, ""])  # nothing quoted
    assert not [cell for row in table for cell in row if cell[:1] in set("=+-@＝＋－＠")]
    assert table[2][6] == "01/09/2026 à 09h00" and table[1][6] == ""  # Paris time (summer)
    assert text("unactivated_account", login="a.formule", state=NEVER) in ran.text.splitlines()


async def test_an_adml_of_two_schools_lists_both_or_the_one_named(two_schools: Services, domain: Domain) -> None:
    both = await listed("web:anne", domain)
    assert document(both)["filename"] == text("unactivated_file_name", schools="0750098Y-0750099Z")
    assert text("unactivated_school", school="0750099Z", count=0) in both.text.splitlines()
    calm = await listed("web:anne", domain, "0750099z")
    assert calm.text == text("unactivated_school", school="0750099Z", count=0)
    assert rows(calm) == [CSV_HEADER.split(";")]


# -- the ADML's decision on a user's reset request ----------------------------------------------------------------
async def test_accepter_shows_a_policy_password_once(installed: Services, domain: Domain, clock: SettableClock) -> None:
    request = installed.reset_requests.create("lucas.martin", "0750001A", USER, clock())
    ran = await run(ActionDecideReset(), tracker(ADML, "approve_reset", {"request_id": str(request.id)}), domain)
    assert ran.events == [SlotSet("request_id", None)] and ran.responses == ["utter_provisional_password"]
    password = ran.messages[0]["password"]
    assert len(password) == 12 and set(password) & set(string.digits) and re.escape(password)
    assert password in ran.text and ran.messages[0]["custom"] == {"sensitive": True}


async def test_a_decision_from_another_school_is_refused(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    request = installed.reset_requests.create("lucas.martin", "0750001A", USER, clock())
    ran = await run(ActionDecideReset(), tracker(OTHER_ADML, "approve_reset", request_id=request.id), domain)
    assert ran.responses == ["utter_refused"] and ran.messages[0]["reason_text"] == text("refusal_other_school")


async def test_a_request_for_a_fellow_admls_account_is_for_support(
    installed: Services, domain: Domain, clock: SettableClock
) -> None:
    """nadia.benali asked before she became an ADML of the school: her account is now for support only."""
    directory = demo_directory()
    accounts = tuple(
        dataclasses.replace(a, adml_of=("0750001A",)) if a.login == "nadia.benali" else a for a in directory.accounts
    )
    installed.directory.load_fixture(DirectoryFixture(directory.establishments, accounts))
    request = installed.reset_requests.create("nadia.benali", "0750001A", "telegram:5099", clock())
    ran = await run(ActionDecideReset(), tracker(ADML, "approve_reset", request_id=request.id), domain)
    assert ran.responses == ["utter_adml_account_to_support"]
    stored = installed.reset_requests.get(request.id)
    assert stored is not None and stored.status == "pending"
