"""SQLAlchemy 2 typed models. The schema is created and upgraded only by Alembic migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and gives them back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    """One chat (a Telegram user, a web session, a replay) and its dialogue tracker."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    tracker: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class Message(Base):
    """A transcript line, stored redacted."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # "in" | "out"
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class NluMiss(Base):
    """A message the assistant did not understand, kept redacted for review."""

    __tablename__ = "nlu_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    ranking: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class Ticket(Base):
    __tablename__ = "tickets"
    # the dashboard's aggregates of tickets opened and closed read these alone (`bot.storage.dashboard`)
    __table_args__ = (
        Index("ix_tickets_created_at", "created_at", "tenant", "uai"),
        Index("ix_tickets_closed_at", "closed_at", "rating", "tenant", "uai"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | taken | closed
    tenant: Mapped[str | None] = mapped_column(String(32))
    login: Mapped[str | None] = mapped_column(String(128))
    diagnosis: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    transcript: Mapped[str] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(String(128))
    topic_ref: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    uai: Mapped[str | None] = mapped_column(String(16), index=True)  # the school of the chat, when it was known


class TicketMessage(Base):
    __tablename__ = "ticket_messages"
    # the dashboard's first agent answer of each ticket is read from this index alone
    __table_args__ = (Index("ix_ticket_messages_author_ticket", "author", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # user | agent | bot
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ChatDay(Base):
    """A chat's day as the dashboard counts it (`bot.storage.usage`), with nothing personal: its ENT and school
    when the chat told them, its last diagnosis, whether a person took over, its turns and misunderstood messages.
    Kept when the conversation is purged (the conversation id is then a bare number), like the audit log."""

    __tablename__ = "chat_days"
    __table_args__ = (
        UniqueConstraint("conversation_id", "day"),
        # each holds every column its aggregates read (`bot.storage.dashboard`): the table itself is never read
        Index("ix_chat_days_day", "day", "diagnosis", "tenant", "handed_over", "misses"),
        Index("ix_chat_days_diagnosis_day", "diagnosis", "day", "tenant", "uai"),
        Index("ix_chat_days_uai_day", "uai", "day", "diagnosis", "tenant", "handed_over", "misses"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int]
    day: Mapped[dt.date] = mapped_column(Date)  # in the assistant's time zone
    channel: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str | None] = mapped_column(String(32))
    uai: Mapped[str | None] = mapped_column(String(16))
    diagnosis: Mapped[str | None] = mapped_column(String(64))
    handed_over: Mapped[bool] = mapped_column(Boolean, default=False)  # a ticket of the chat was open that day
    turns: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """Append-only: who did what, on whom, when, through which channel, and how it ended."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128))  # sender id of the chat
    actor_login: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # done | refused | rate_limited | failed
    detail: Mapped[str | None] = mapped_column(Text)


class AccountLink(Base):
    """A chat's proved ownership of an ENT identity: by a one-time code (`code`) or the ENT's CAS login (`cas`)."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    login: Mapped[str] = mapped_column(String(128), index=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(16), default="code", server_default="code")
    # the UAIs the CAS said the user administers when it linked them; null when the CAS did not say (the directory's)
    adml_of: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))


class CasLoginState(Base):
    """A CAS login offered to a chat: the single-use `state` of its service URL, kept as a keyed hash only."""

    __tablename__ = "cas_login_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(128), unique=True)  # keyed hash; the state itself is never kept
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    tenant: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class RateLimitCounter(Base):
    """A fixed-window counter; `key` says what is counted (e.g. `lookup:chat:web:abc`)."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ActivationRecord(Base):
    """What the activation application knows and the directory does not (as at the operators)."""

    __tablename__ = "activation_records"

    login: Mapped[str] = mapped_column(String(128), primary_key=True)
    provisional_issued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    provisional_reason: Mapped[str | None] = mapped_column(String(16))  # creation | reset
    provisional_delivery: Mapped[str | None] = mapped_column(String(16))
    backup_email: Mapped[str | None] = mapped_column(String(254))
    backup_email_validated: Mapped[bool] = mapped_column(Boolean, default=False)
    validation_link_sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OneTimeCode(Base):
    """A code that proves a chat owns an account; only its hash is kept."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    login: Mapped[str] = mapped_column(String(128))
    code_hash: Mapped[str] = mapped_column(String(128))  # keyed hash; the code itself is only in the mail
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ResetRequest(Base):
    """A user's reset request waiting for an ADML of their school."""

    __tablename__ = "reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(128), index=True)
    uai: Mapped[str] = mapped_column(String(16), index=True)
    requester: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # pending | deciding | approved | denied
    decided_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OutboundMail(Base):
    """A mail to send; kept until sent so that none is lost while the SMTP server is down."""

    __tablename__ = "outbound_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # a code mail is useless after its code


class InboxMessage(Base):
    """A message for a chat that its channel could not deliver yet (an agent's answer, a decision)."""

    __tablename__ = "chat_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ButtonPayload(Base):
    """A button's payload too long for its channel (Telegram's 64-byte callback data), kept under a short key."""

    __tablename__ = "button_payloads"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # or when last kept again: the purge reads it


class ValidationToken(Base):
    """A backup-address validation link: only the token's hash is kept."""

    __tablename__ = "validation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the token itself is only in the mail
    login: Mapped[str] = mapped_column(String(128), index=True)
    address: Mapped[str] = mapped_column(String(254))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class DirEstablishment(Base):
    """Embedded SQL directory: a school."""

    __tablename__ = "dir_establishments"

    uai: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(String(32))
    ent_convention: Mapped[bool] = mapped_column(Boolean, default=False)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)


class DirAccount(Base):
    """Embedded SQL directory: an account (the directory's part of it)."""

    __tablename__ = "dir_accounts"
    # lookups compare logins whatever their case: without this index each one reads the whole table
    __table_args__ = (Index("ix_dir_accounts_login_lower", func.lower(text("login"))),)

    login: Mapped[str] = mapped_column(String(128), primary_key=True)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    profile: Mapped[str] = mapped_column(String(32))
    uai: Mapped[str | None] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    ent_mail: Mapped[str | None] = mapped_column(String(254))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    adml_of: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))


class SchedulerLease(Base):
    """Who runs the scheduled jobs (`bot.storage.lease`); times are the database's clock, in epoch seconds."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[float]
    expires_at: Mapped[float]


class SchedulerRun(Base):
    """A scheduled job's last run (`bot.storage.job_runs`): still `running` when its instance died during it."""

    __tablename__ = "scheduler_runs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    running: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class HelpdeskTicket(Base):
    """A local ticket's twin in the external helpdesk (GLPI, Zammad), and how far the two were synchronised: the
    last of the ticket's messages sent there as a followup, the last followup seen there (relayed or skipped)."""

    __tablename__ = "helpdesk_tickets"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    system: Mapped[str] = mapped_column(String(16))  # glpi | zammad
    external_id: Mapped[str] = mapped_column(String(64), index=True)
    last_message_id: Mapped[int] = mapped_column(default=0)
    last_followup_id: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # the tickets read longest ago are read first


class NoticeSubscription(Base):
    """A chat that opted in to notices (`/abonner`): freeze announcements, its activation reminder, an ADML's
    weekly digest. Deleted by `/desabonner`, and by the purge once the chat's link is gone (`bot.storage.notices`)."""

    __tablename__ = "notice_subscriptions"

    sender_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    subscribed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class NoticeSent(Base):
    """A notice claimed for sending, under its unique key (`freeze:monlycee:2026-07-13:telegram:5001`): written in
    the transaction that stores the message for the chat, so no notice is ever sent twice."""

    __tablename__ = "notices_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # freeze | digest | leads | reminder
    sender_id: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class ActivationWatch(Base):
    """A linked chat was told its account is not activated: reminded once later if it still is not."""

    __tablename__ = "activation_watches"
    __table_args__ = (UniqueConstraint("sender_id", "login"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128))  # the chat told
    login: Mapped[str] = mapped_column(String(128))  # the account it was told about
    told_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class SchoolWeekCount(Base):
    """A school's accounts still to activate, as counted for a week's digest (the next week's change is read here)."""

    __tablename__ = "school_week_counts"
    __table_args__ = (UniqueConstraint("uai", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(16))  # the school
    week: Mapped[str] = mapped_column(String(8))  # 2026-W36
    count: Mapped[int]
    counted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class NluLabel(Base):
    """The intent an agent gave a misunderstood or unsure message (`bot.storage.nlu_labels`): `source` is
    `miss` (a row of `nlu_misses`) or `message` (a user's line of `messages`); `text` is the message anonymised
    (`bot.core.anonymise`), so a label holds no identifier. Labels are purged with the transcripts."""

    __tablename__ = "nlu_labels"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # miss | message
    source_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(128))
    labelled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
