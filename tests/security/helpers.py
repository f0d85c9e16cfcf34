"""Small helpers shared by the security tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.directory.fixture import parse_fixture
from bot.mail.port import Mail
from bot.services import Services
from tests.conftest import ROOT

CODE = re.compile(r"\b(\d{6})\b")


def code_in(mail: Mail) -> str:
    """The one-time code a linking mail carries."""
    found = CODE.search(mail.body)
    assert found, mail.body
    return found.group(1)


def load_demo_with(services: Services, changes: dict[str, dict[str, Any]]) -> None:
    """Reload the demo directory with some accounts' fields changed (`{login: {field: value}}`)."""
    raw = yaml.safe_load(Path(ROOT / "knowledge" / "demo-directory.yml").read_text(encoding="utf-8"))
    for account in raw["accounts"]:
        account.update(changes.get(account["login"], {}))
    services.directory.load_fixture(parse_fixture(raw))
