"""The helpdesk in config.yml: off on the embedded defaults (nothing of it is needed for `make run`), validated in
one line when named, its tokens read from the environment, its job scheduled only when it is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.helpdesk.build import build_ticket_system, webhook_secret
from bot.helpdesk.glpi import GlpiTicketSystem
from bot.helpdesk.zammad import ZammadTicketSystem
from bot.scheduler import _jobs

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_embedded_defaults_have_no_helpdesk_and_no_helpdesk_job() -> None:
    config = load_config(ROOT / "config.yml")
    assert build_ticket_system(config.helpdesk) is None and webhook_secret(config.helpdesk) is None
    assert "sync_helpdesk" not in [job_id for job_id, _, _ in _jobs("Europe/Paris")]
    assert _jobs("Europe/Paris", 60)[0][:2] == ("sync_helpdesk", "bot.scheduler:sync_helpdesk")


@pytest.mark.parametrize(
    ("helpdesk", "message"),
    [
        ({"kind": "glpi"}, "helpdesk: kind glpi needs a glpi section (api_url)"),
        ({"kind": "zammad", "zammad": {"url": "https://z.example.fr"}}, "helpdesk.zammad.customer: required key"),
        ({"kind": "glpi", "glpi": {"api_url": "pas une url"}}, "helpdesk.glpi.api_url:"),
        ({"kind": "otrs"}, "helpdesk.kind:"),
        ({"poll_seconds": 1}, "helpdesk.poll_seconds:"),
    ],
)
def test_a_wrong_helpdesk_section_is_one_line_naming_the_key(helpdesk: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(ROOT / "config.yml", {"helpdesk": helpdesk})


def test_each_kind_builds_its_adapter_with_tokens_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    glpi = load_config(
        ROOT / "config.yml",
        {"helpdesk": {"kind": "glpi", "glpi": {"api_url": "https://glpi.example.fr/apirest.php", "category_id": 12}}},
    ).helpdesk
    for name in ("CLEF_GLPI_APP_TOKEN", "CLEF_GLPI_USER_TOKEN", "CLEF_ZAMMAD_TOKEN", "CLEF_HELPDESK_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="variable CLEF_GLPI_APP_TOKEN is not set"):
        build_ticket_system(glpi)
    monkeypatch.setenv("CLEF_GLPI_APP_TOKEN", "app")
    monkeypatch.setenv("CLEF_GLPI_USER_TOKEN", "user")
    built = build_ticket_system(glpi)
    assert isinstance(built, GlpiTicketSystem) and (built.user_token, built.category_id) == ("user", 12)

    zammad = load_config(
        ROOT / "config.yml",
        {
            "helpdesk": {
                "kind": "zammad",
                "webhook_secret_env": "CLEF_HELPDESK_WEBHOOK_SECRET",
                "zammad": {"url": "https://support.example.fr", "customer": "assistance@example.fr"},
            }
        },
    ).helpdesk
    monkeypatch.setenv("CLEF_ZAMMAD_TOKEN", "tok")
    with pytest.raises(ConfigError, match="CLEF_HELPDESK_WEBHOOK_SECRET"):
        webhook_secret(zammad)
    monkeypatch.setenv("CLEF_HELPDESK_WEBHOOK_SECRET", "s3cret")
    built_zammad = build_ticket_system(zammad)
    assert isinstance(built_zammad, ZammadTicketSystem) and built_zammad.group == "Users"
    assert webhook_secret(zammad) == "s3cret"
