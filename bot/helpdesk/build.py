"""The configured ticket system (`helpdesk` in config.yml), its tokens read from the environment."""

from __future__ import annotations

from bot.config import ConfigError, HelpdeskSettings, secret
from bot.helpdesk.glpi import GlpiTicketSystem
from bot.helpdesk.port import TicketSystem
from bot.helpdesk.zammad import ZammadTicketSystem


def _required(env_name: str) -> str:
    value = secret(env_name)
    if value is None:
        raise ConfigError(f"helpdesk: the environment variable {env_name} is not set")
    return value


def build_ticket_system(settings: HelpdeskSettings) -> TicketSystem | None:
    """The adapter of `settings.kind`; None when no helpdesk is configured. A token missing stops the start."""
    if settings.kind == "glpi" and settings.glpi is not None:
        glpi = settings.glpi
        return GlpiTicketSystem(
            api_url=str(glpi.api_url),
            app_token=_required(glpi.app_token_env) if glpi.app_token_env else None,
            user_token=_required(glpi.user_token_env),
            category_id=glpi.category_id,
            entity_id=glpi.entity_id,
            requester_user_id=glpi.requester_user_id,
            timeout_seconds=settings.timeout_seconds,
        )
    if settings.kind == "zammad" and settings.zammad is not None:
        zammad = settings.zammad
        return ZammadTicketSystem(
            url=str(zammad.url),
            token=_required(zammad.token_env),
            group=zammad.group,
            customer=zammad.customer,
            closed_states=tuple(zammad.closed_states),
            timeout_seconds=settings.timeout_seconds,
        )
    return None


def webhook_secret(settings: HelpdeskSettings) -> str | None:
    """The webhooks' signing secret; None: no webhook route is served."""
    if settings.kind == "none" or settings.webhook_secret_env is None:
        return None
    return _required(settings.webhook_secret_env)
