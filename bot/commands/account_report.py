"""`python -m bot account LOGIN`: what the assistant sees of an account and its diagnosis now.

The support staff's and operators' first look, and a way to check the directory the configuration
names (SQL or LDAP). The backup address is masked; nothing here changes the directory.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.bootstrap import build_services
from bot.config import AppConfig
from bot.core.redaction import mask_email
from bot.services.diagnosis import check_account


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def account_report(config: AppConfig, login: str, as_json: bool, out: TextIO) -> int:
    services = build_services(config)
    try:
        account = services.directory.find_account(login)
        if account is None:
            if as_json:
                print(json.dumps({"login": login, "found": False, "diagnosis": "account_unknown"}), file=out)
            else:
                print(f"no account {login!r} in the {config.directory.kind} directory", file=out)
            return 1
        establishment = services.directory.find_establishment(account.uai) if account.uai else None
        check = check_account(services, account)
        tenant, result = check.tenant, check.diagnosis
        report = {
            "login": account.login,
            "found": True,
            "state": account.state.value,
            "profile": account.profile.value,
            "source": account.source.value,
            "tenant": tenant,
            "school": {
                "uai": account.uai,
                "name": establishment.name if establishment else None,
                "ent_convention": establishment.ent_convention if establishment else None,
            }
            if account.uai
            else None,
            "ent_mail": account.ent_mail,
            "backup_email": mask_email(account.backup_email) if account.backup_email else None,
            "backup_email_validated": account.backup_email_validated,
            "provisional_issued_at": _iso(account.provisional_issued_at),
            "provisional_delivery": account.provisional_delivery.value if account.provisional_delivery else None,
            "validation_link_sent_at": _iso(account.validation_link_sent_at),
            "locked_until": _iso(account.locked_until),
            "adml_of": list(account.adml_of),
            "diagnosis": result.code.value,
            "next_step": result.next_step.value,
            "evidence": list(result.evidence),
        }
    finally:
        services.database.dispose()
    if as_json:
        print(json.dumps(report, ensure_ascii=False), file=out)
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            if key == "found":
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            print(f"{key.ljust(width)}  {shown if shown not in (None, '') else '-'}", file=out)
    return 0
