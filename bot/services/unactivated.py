"""A school's accounts still to activate, as `/nonactives` lists them and as the CSV it attaches: also what the
ADMLs' weekly digest (`bot.services.notices`) counts and sends."""

from __future__ import annotations

from bot.core.accounts import Account, AccountState
from bot.directory.port import Directory
from bot.services.container import Services
from bot.texts import text

CSV_HEADER = "uai;identifiant;prenom;nom;profil;etat;mot_de_passe_provisoire_du"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def pending_accounts(directory: Directory, school: str) -> list[Account]:
    """The school's accounts never activated, or reset and not activated again."""
    return [
        a for a in directory.accounts_of_school(school) if a.state in (AccountState.PROVISIONAL, AccountState.RESET)
    ]


def state_label(account: Account) -> str:
    """What the list says of an account's state."""
    if account.state is AccountState.RESET:
        return text("unactivated_state_reset")
    return text("unactivated_state_never")


def issued_on(services: Services, account: Account) -> str:
    """When its provisional password was issued, as French people read it; empty when unknown."""
    return services.format_local(account.provisional_issued_at) if account.provisional_issued_at else ""


def csv_row(school: str, account: Account, label: str, issued: str) -> str:
    values = (
        school,
        account.login,
        account.given_name or "",
        account.family_name or "",
        account.profile.value,
        label,
        issued,
    )
    return ";".join(csv_cell(v) for v in values)


def csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula, nor split into other cells or rows.

    A value whose first character, or first after spaces, can start a formula (= + - @, tab, CR, LF and
    their full-width forms) gets a leading apostrophe; a value holding ; " CR or LF is quoted.
    """
    if value[:1] in FORMULA_LEADS or value.lstrip(" ")[:1] in FORMULA_LEADS:
        value = "'" + value
    if any(c in value for c in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_file_name(schools: list[str]) -> str:
    return text("unactivated_file_name", schools="-".join(schools))


def csv_document(services: Services, school: str, accounts: list[Account]) -> tuple[str, str]:
    """(file name, content) of the CSV `/nonactives` attaches, for one school's accounts still to activate."""
    rows = [CSV_HEADER]
    rows += [csv_row(school, a, state_label(a), issued_on(services, a)) for a in accounts]
    return csv_file_name([school]), "\n".join(rows) + "\n"
