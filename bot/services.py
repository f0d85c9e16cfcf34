"""The services the actions use, built once by the composition root (`bot.app`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import AppConfig, FreezeWindow, Tenant
from bot.core.accounts import Account
from bot.core.authz import Actor
from bot.core.diagnosis import TenantRules
from bot.core.freeze import FreezeStatus, HolidayCalendar, freeze_status
from bot.directory.port import Directory
from bot.knowledge import KnowledgeBase
from bot.mail.outbox import MailOutbox
from bot.relay import ChatRelay
from bot.storage.activation import ActivationStore
from bot.storage.audit import AuditLog
from bot.storage.conversations import ConversationStore
from bot.storage.links import LinkStore, ResetRequestStore
from bot.storage.ratelimit import RateLimiter
from bot.storage.tickets import TicketStore, TicketView
from bot.texts import text

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    config: AppConfig
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    directory: Directory
    activation: ActivationStore
    outbox: MailOutbox
    conversations: ConversationStore
    tickets: TicketStore
    audit: AuditLog
    limiter: RateLimiter
    links: LinkStore
    reset_requests: ResetRequestStore
    relay: ChatRelay
    holidays: HolidayCalendar
    knowledge: KnowledgeBase
    agent_senders: set[str] = field(default_factory=set)
    ticket_listeners: list[Callable[[TicketView], None]] = field(default_factory=list)
    reminder_listeners: list[Callable[[TicketView], None]] = field(default_factory=list)
    user_message_listeners: list[Callable[[TicketView, str], None]] = field(default_factory=list)
    ticket_gates: list[Callable[[Actor], bool]] = field(default_factory=list)
    """Asked before a chat opens a ticket (e.g. the web channel's per-address limit); any False refuses it."""

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.config.assistant.timezone)

    def now(self) -> dt.datetime:
        return self.clock()

    def local_now(self) -> dt.datetime:
        return self.clock().astimezone(self.timezone)

    def is_agent(self, sender_id: str) -> bool:
        if sender_id in self.agent_senders:
            return True
        if sender_id.startswith("telegram:"):
            user = sender_id.removeprefix("telegram:")
            return user.isdigit() and int(user) in self.config.telegram.agent_user_ids
        return False

    def actor(self, sender_id: str, client_address: str | None = None) -> Actor:
        login = self.links.linked_login(sender_id)
        account = self.directory.find_account(login) if login else None
        return Actor(sender_id, account, self.is_agent(sender_id), client_address)

    def tenant_of(self, account: Account | None) -> str | None:
        if account is None or not account.uai:
            return None
        establishment = self.directory.find_establishment(account.uai)
        return establishment.tenant if establishment else self.config.tenant_for_uai(account.uai)

    def tenant_rules(self, tenant_id: str) -> TenantRules:
        tenant = self.config.tenant(tenant_id)
        return TenantRules(
            validation_link_hours=tenant.validation_link_hours,
            freeze_windows=tuple(tenant.freeze_windows),
            zone=tenant.school_holiday_zone,
        )

    def freeze(self, tenant_id: str) -> FreezeStatus:
        tenant = self.config.tenant(tenant_id)
        return freeze_status(self.local_now().date(), tenant.freeze_windows, tenant.school_holiday_zone, self.holidays)

    def tenant_facts(self, tenant_id: str | None) -> dict[str, str]:
        """Placeholder values for responses and articles; empty when the ENT is not known yet."""
        if not tenant_id or tenant_id not in self.config.tenants:
            return {}
        return tenant_facts(self.config.tenant(tenant_id), self.local_now().date())


def freeze_schedule(windows: list[FreezeWindow], today: dt.date) -> str:
    """The announced freeze windows not over yet, as users read dates: `du 13/07/2026 au 21/08/2026`."""
    coming = sorted((w for w in windows if w.end >= today), key=lambda w: w.start)
    if not coming:
        return text("freeze_windows_none")
    return text("freeze_windows_separator").join(
        text("freeze_window", start=w.start.strftime("%d/%m/%Y"), end=w.end.strftime("%d/%m/%Y")) for w in coming
    )


def tenant_facts(tenant: Tenant, today: dt.date) -> dict[str, str]:
    support = tenant.support
    contact = (
        support.name + (f" ({support.email})" if support.email else "") + (f" : {support.url}" if support.url else "")
    )
    return {
        "ent_name": tenant.name,
        "ent_region": tenant.region,
        "ent_url": str(tenant.ent_url),
        "cesame_url": str(tenant.cesame_url or ""),
        "ent_mail_domain": tenant.ent_mail_domain,
        "password_min_length": str(tenant.password_policy.min_length),
        "validation_link_hours": str(tenant.validation_link_hours),
        "support_contact": contact,
        "freeze_schedule": freeze_schedule(tenant.freeze_windows, today),
    }
