"""The services of this process, built once by the composition root (`bot.bootstrap`).

**When the ENT is not known yet** (no `tenant` slot, no account, no school code), this module is the one
place that decides, for every caller:

- replies (`tenant_facts(None)`, the placeholders of responses): only the facts every configured ENT states
  alike, never one ENT's name or address as if it were the user's, plus the longest validation-link lifetime
  (so "valable {validation_link_hours} heures" is never left unfilled);
- mails (`mail_facts(None)`): a mail must name an ENT, so the first tenant of config.yml stands for it;
- the diagnosis (`tenant_rules(None)`, `freeze(None)`): the longest link lifetime of the ENTs (a link is never
  called dead while one ENT would keep it alive), no freeze window, core's `NOT_FROZEN`;
- the password policy (`min_password_length(None)`): the strictest of the ENTs;
- articles (`KnowledgeBase.choose`, then `action_answer_faq`): the answer when every ENT's reads the same,
  else the question "which ENT?" with a button for each.
"""

from __future__ import annotations

import dataclasses
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
from bot.core.farewell import part_of_day
from bot.core.freeze import NOT_FROZEN, FreezeStatus, HolidayCalendar, freeze_status
from bot.directory.port import Directory
from bot.helpdesk.port import TicketSystem
from bot.knowledge import KnowledgeBase
from bot.mail.outbox import MailOutbox
from bot.messages import split_sender
from bot.services.relay import ChatRelay
from bot.storage.activation import ActivationStore
from bot.storage.audit import AuditLog, Outcome
from bot.storage.buttons import ButtonPayloadStore
from bot.storage.cas_states import CasStateStore
from bot.storage.conversations import ConversationStore
from bot.storage.links import LinkStore, ResetRequestStore
from bot.storage.locks import ConversationLocks, TurnLocks
from bot.storage.notices import NoticeStore
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
    database: Engine
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
    cas_states: CasStateStore
    button_payloads: ButtonPayloadStore  # long button payloads (Telegram's)
    relay: ChatRelay
    holidays: HolidayCalendar
    knowledge: KnowledgeBase
    notices: NoticeStore
    """Chats that opted in to notices, the notices sent, what is watched for them (`bot.services.notices`)."""
    helpdesk: TicketSystem | None = None
    """The helpdesk the agents already use, when config.yml names one (`bot.services.helpdesk_sync`)."""
    conversation_locks: TurnLocks = field(default_factory=lambda: ConversationLocks(None))
    """One turn of a chat at a time across the processes sharing the database (PostgreSQL's advisory locks; a lock
    file beside a SQLite database served by several web workers; none for one process on SQLite)."""
    agent_senders: set[str] = field(default_factory=set)
    ticket_listeners: list[Callable[[TicketView], None]] = field(default_factory=list)
    reminder_listeners: list[Callable[[TicketView], None]] = field(default_factory=list)
    user_message_listeners: list[Callable[[TicketView, str], None]] = field(default_factory=list)
    ticket_gates: list[Callable[[Actor], bool]] = field(default_factory=list)
    """Asked before a chat opens a ticket (e.g. the web channel's per-address limit); any False refuses it."""
    _facts: dict[str | None, dict[str, str]] = field(default_factory=dict, repr=False)
    _facts_day: dt.date | None = field(default=None, repr=False)

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
        channel, user = split_sender(sender_id)
        return channel == "telegram" and user.isdigit() and int(user) in self.config.telegram.agent_user_ids

    def actor(self, sender_id: str, client_address: str | None = None) -> Actor:
        """Who writes in this chat: its linked account, whose ADML membership is what the CAS said at the link when
        it said (`tenants.*.cas.adml_groups`), else the directory's."""
        link = self.links.link_of(sender_id)
        account = self.directory.find_account(link.login) if link else None
        if account is not None and link is not None and link.adml_of is not None:
            account = dataclasses.replace(account, adml_of=link.adml_of)
        return Actor(sender_id, account, self.is_agent(sender_id), client_address)

    def tenant_of(self, account: Account | None) -> str | None:
        if account is None or not account.uai:
            return None
        establishment = self.directory.find_establishment(account.uai)
        return establishment.tenant if establishment else self.config.tenant_for_uai(account.uai)

    def tenant_rules(self, tenant_id: str | None) -> TenantRules:
        """The diagnosis rules of the ENT; see the module's docstring for an ENT not known yet."""
        if tenant_id not in self.config.tenants:
            return TenantRules(validation_link_hours=self.link_hours(None), freeze_windows=(), zone="C")
        tenant = self.config.tenant(tenant_id)
        return TenantRules(
            validation_link_hours=tenant.validation_link_hours,
            freeze_windows=tuple(tenant.freeze_windows),
            zone=tenant.school_holiday_zone,
        )

    def link_hours(self, tenant_id: str | None) -> int:
        """How long the ENT's backup-address validation link lives (`validation_link_hours`)."""
        if tenant_id in self.config.tenants:
            return self.config.tenant(tenant_id).validation_link_hours
        return max(t.validation_link_hours for t in self.config.tenants.values())

    def min_password_length(self, tenant_id: str | None) -> int:
        if tenant_id in self.config.tenants:
            return self.config.tenant(tenant_id).password_policy.min_length
        return max(t.password_policy.min_length for t in self.config.tenants.values())

    def freeze(self, tenant_id: str | None) -> FreezeStatus:
        if tenant_id not in self.config.tenants:
            return NOT_FROZEN
        tenant = self.config.tenant(tenant_id)
        return freeze_status(self.local_now().date(), tenant.freeze_windows, tenant.school_holiday_zone, self.holidays)

    def tenant_facts(self, tenant_id: str | None) -> dict[str, str]:
        """Placeholder values for responses and articles; for an ENT not known yet, what every ENT says alike.

        They depend on the configuration and the day only: worked out once a day per ENT (a turn fills several
        responses), each caller getting a copy of its own."""
        today = self.local_now().date()
        if self._facts_day != today:
            self._facts.clear()
            self._facts_day = today
        if tenant_id not in self._facts:
            self._facts[tenant_id] = self._tenant_facts(tenant_id, today)
        return dict(self._facts[tenant_id])

    def farewell(self) -> str:
        """What a goodbye wishes at this local hour ("bonne journée", "bonne soirée": messages.yml)."""
        return text(f"farewell_{part_of_day(self.local_now().time())}")

    def _tenant_facts(self, tenant_id: str | None, today: dt.date) -> dict[str, str]:
        if tenant_id in self.config.tenants:
            return tenant_facts(self.config.tenant(tenant_id), today)
        every = [tenant_facts(t, today) for t in self.config.tenants.values()]
        shared = {key: value for key, value in every[0].items() if all(f.get(key) == value for f in every[1:])}
        return shared | {"validation_link_hours": str(self.link_hours(None))}

    def mail_facts(self, tenant_id: str | None) -> dict[str, str]:
        """Placeholder values for a mail: the ENT's, or the first tenant's when it is not known."""
        known = tenant_id if tenant_id in self.config.tenants else next(iter(self.config.tenants))
        return tenant_facts(self.config.tenant(known), self.local_now().date())

    def format_local(self, value: object) -> str:
        """An aware datetime or a date as French people read it: `25/11/2026 à 14h05`, `21/08/2026`."""
        return format_local(value, self.timezone)

    def record(
        self,
        actor: Actor,
        channel: str,
        operation: str,
        target: str | None,
        outcome: Outcome,
        detail: str | None = None,
        session: Session | None = None,
    ) -> None:
        """One audit row, now, for what `actor` did (the one way every part of the assistant audits); in `session`'s
        transaction when given."""
        self.audit.append(
            at=self.now(),
            actor=actor.sender_id,
            actor_login=actor.linked_account.login if actor.linked_account else None,
            channel=channel,
            operation=operation,
            target=target,
            outcome=outcome.value,
            detail=detail,
            session=session,
        )


SCHEDULER = Actor("scheduler")
"""Who the background jobs are in the audit log."""


DATE_FORMAT = "%d/%m/%Y"


def format_local(value: object, timezone: ZoneInfo) -> str:
    """An aware datetime in `timezone`, or a date, as French people read it: `25/11/2026 à 14h05`, `21/08/2026`."""
    if isinstance(value, dt.datetime):
        return value.astimezone(timezone).strftime(f"{DATE_FORMAT} à %Hh%M")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def date_in_words(day: dt.date, with_year: bool = True) -> str:
    """A date as said in words: `13 juillet 2026` (month names from knowledge/messages.yml)."""
    month = text("month_names").split()[day.month - 1]
    number = text("first_of_month") if day.day == 1 else day.day
    return text("date_in_words", day=number, month=month, year=day.year if with_year else "").strip()


def freeze_schedule(windows: list[FreezeWindow], today: dt.date) -> str:
    """The announced freeze windows not over yet, in words: `du 13 juillet au 21 août 2026` (the year once when
    both ends share it)."""
    coming = sorted((w for w in windows if w.end >= today), key=lambda w: w.start)
    if not coming:
        return text("freeze_windows_none")
    return text("freeze_windows_separator").join(
        text(
            "freeze_window",
            start=date_in_words(w.start, with_year=w.start.year != w.end.year),
            end=date_in_words(w.end),
        )
        for w in coming
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
