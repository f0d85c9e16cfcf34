"""Composition root: everything is built here, from config.yml, and nowhere else.

`build_services` builds the services of this process; `build_assistant` builds the assistant on them and
installs them (`bot.services.current`) for what the frameworks call without arguments: the rasa-sdk
actions and the scheduler's jobs. Nothing in `bot/` imports `actions/`: the executor finds the actions
package by its name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import logging
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rasa_sdk import Action
from rasa_sdk import utils as rasa_utils
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.orm import Session, sessionmaker

from bot.config import AppConfig, secret
from bot.core.identifiers import as_login
from bot.core.redaction import identifier_rule
from bot.dialogue.domain import load_domain
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.rules import load_rules
from bot.dialogue.understanding import Understander, load_lexicon
from bot.directory.fixture import DirectoryFixture, load_fixture
from bot.directory.port import Directory
from bot.helpdesk.build import build_ticket_system
from bot.holidays import SchoolHolidays
from bot.knowledge import KnowledgeBase
from bot.knowledge_files import KNOWLEDGE, Knowledge, load_nlu
from bot.mail.capture import CaptureMailer
from bot.mail.outbox import MailOutbox
from bot.mail.port import Mailer
from bot.mail.smtp import SmtpMailer
from bot.nlu.confidence import ConfidencePolicy
from bot.nlu.model import NluModel
from bot.placeholders import fill
from bot.services import Clock, Services, current, system_clock
from bot.services.assistant import Assistant
from bot.services.relay import ChatRelay
from bot.storage.activation import ActivationStore
from bot.storage.audit import AuditLog
from bot.storage.buttons import ButtonPayloadStore
from bot.storage.cas_states import CasStateStore
from bot.storage.conversations import ConversationStore
from bot.storage.db import ensure_migrated, make_engine, session_factory
from bot.storage.inbox import InboxStore
from bot.storage.keys import load_secret_key
from bot.storage.links import LinkLifetimes, LinkStore, ResetRequestStore
from bot.storage.locks import ConversationLocks
from bot.storage.notices import NoticeStore
from bot.storage.ratelimit import RateLimiter
from bot.storage.tickets import TicketStore

log = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"  # imported by rasa-sdk by name, never by bot/


def build_directory(
    config: AppConfig, activation: ActivationStore, sessions: sessionmaker[Session], clock: Clock = system_clock
) -> Directory:
    """The configured directory; LDAP behind a circuit breaker, so that no turn waits on a server that keeps failing."""
    if config.directory.kind == "ldap":
        from bot.directory.breaker import BreakingDirectory
        from bot.directory.ldap import LdapDirectory

        settings = config.directory.ldap
        ldap = LdapDirectory(
            settings,
            activation,
            secret(settings.password_env),
            tenant=settings.tenant,
            tenant_for_uai=config.tenant_for_uai,
        )
        return BreakingDirectory(ldap, settings.breaker.failures, settings.breaker.open_seconds, clock)
    from bot.directory.sql import SqlDirectory

    return SqlDirectory(sessions, activation)


def server_key(config: AppConfig) -> bytes:
    """The key of the keyed hashes of linking codes and CAS login states (`linking.secret_key_env`)."""
    settings = config.linking
    return load_secret_key(settings.secret_key_env, config.path(settings.secret_key_file))


def build_links(config: AppConfig, sessions: sessionmaker[Session], clock: Clock, directory: Directory) -> LinkStore:
    """The link store, its codes keyed by the server secret, links expiring (sooner for ADMLs)."""
    settings = config.linking

    def is_adml(login: str) -> bool:
        account = directory.find_account(login)
        return bool(account and account.adml_of)

    return LinkStore(
        sessions,
        key=server_key(config),
        clock=clock,
        lifetimes=LinkLifetimes(
            user=dt.timedelta(days=settings.link_lifetime_days),
            adml=dt.timedelta(hours=settings.adml_link_lifetime_hours),
        ),
        is_adml=is_adml,
    )


def build_mailer(config: AppConfig) -> Mailer:
    mail = config.mail
    if mail.kind == "smtp":
        return SmtpMailer(mail.smtp, mail.sender, secret(mail.smtp.password_env))
    return CaptureMailer(config.path(mail.outbox_dir))


def build_services(
    config: AppConfig,
    clock: Clock = system_clock,
    database_url: str | None = None,
    mailer: Mailer | None = None,
    require_migrated: bool = True,
) -> Services:
    database = make_engine(database_url or config.storage.url, root=config.root)
    if require_migrated:
        ensure_migrated(database)
    sessions = session_factory(database)
    activation = ActivationStore(sessions)
    knowledge = Knowledge(config.path(KNOWLEDGE))
    directory = build_directory(config, activation, sessions, clock)
    identifiers = identifier_rule(config.login_patterns())  # what the stores may keep as an identifier
    return Services(
        config=config,
        clock=clock,
        database=database,
        sessions=sessions,
        directory=directory,
        activation=activation,
        outbox=MailOutbox(sessions, mailer or build_mailer(config), config.mail.retry_minutes, clock),
        conversations=ConversationStore(sessions, identifiers),
        tickets=TicketStore(sessions, identifiers),
        audit=AuditLog(sessions, identifiers),
        limiter=RateLimiter(sessions),
        links=build_links(config, sessions, clock, directory),
        reset_requests=ResetRequestStore(sessions),
        cas_states=CasStateStore(sessions, server_key(config)),
        button_payloads=ButtonPayloadStore(sessions, clock),
        relay=ChatRelay(InboxStore(sessions, clock)),
        holidays=SchoolHolidays(),
        knowledge=KnowledgeBase.load(knowledge.articles, set(config.tenants)),
        notices=NoticeStore(sessions),
        conversation_locks=ConversationLocks.for_database(database, config.web.workers),
        helpdesk=build_ticket_system(config.helpdesk),
    )


_executor: ActionExecutor | None = None


def action_executor() -> ActionExecutor:
    """The rasa-sdk executor with the `actions` package registered by name (once per process)."""
    global _executor
    if _executor is None:
        _executor = _package_executor(ACTIONS_PACKAGE)
    return _executor


def _package_executor(package: str) -> ActionExecutor:
    """An executor with the actions `package` defines, and only those: rasa-sdk's `register_package` registers
    every `Action` subclass loaded in the process, which in a process that also loaded other code (tests, a
    plugin) would add its actions too, or replace one of ours by name."""
    executor = ActionExecutor()
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, f"{package}."):
        importlib.import_module(info.name)
    for action in rasa_utils.all_subclasses(Action):
        if action.__module__.startswith(f"{package}.") and not inspect.isabstract(action):
            executor.register_action(action)
    return executor


def build_assistant(services: Services, nlu: NluModel | None = None) -> Assistant:
    """The assistant on these services; installs them for the actions."""
    config = services.config
    knowledge = Knowledge(config.path(KNOWLEDGE))
    domain = load_domain(knowledge.domain)
    rules = load_rules(knowledge.rules, set(domain.forms))
    current.install(services)

    def response_values(slots: Mapping[str, Any]) -> dict[str, str]:
        facts = services.tenant_facts(slots.get("tenant"))  # an ENT not known yet: see bot.services.container
        return facts | {"farewell": services.farewell()}

    confidence = ConfidencePolicy.from_settings(config.assistant.nlu)
    patterns = config.login_patterns()
    lexicon = load_lexicon(knowledge.understanding)
    understander = Understander(
        lexicon=lexicon,
        is_confident=confidence.is_confident,
        login_of=lambda text: as_login(text, patterns),
        answerable=frozenset(services.knowledge.intents()),
        answerable_anywhere=frozenset(
            intent
            for intent in services.knowledge.intents()
            if len(
                {
                    fill(a.answer, services.tenant_facts(t))
                    for t in config.tenants
                    for a in [services.knowledge.choose(intent, t).article]
                    if a is not None
                }
            )
            == 1
        ),
    )
    understander = dataclasses.replace(
        understander,
        opens_form=frozenset(
            rule.intent for rule in rules.intent_rules if any(action in domain.forms for action in rule.actions)
        ),
    )
    dialogue = DialogueEngine(domain, rules, action_executor(), understander, response_values)
    return Assistant(services, nlu or load_nlu(config), dialogue, lexicon)


def load_demo_directory(services: Services, fixture_path: Path | None = None) -> DirectoryFixture:
    """Fill the directory from the configured fixture (the demo directory by default)."""
    path = fixture_path or services.config.directory.fixture
    if path is None:
        raise ValueError("directory.fixture is not set in config.yml")
    fixture = load_fixture(services.config.path(path))
    services.directory.load_fixture(fixture)
    return fixture
