"""Configuration: `config.yml` validated by pydantic, secrets read from the environment.

A wrong key, type or URL raises `ConfigError` whose message is one line naming the key and what was
expected; the CLI prints it and exits. Secrets are never read from the file: the file names the
environment variable that holds each one (`*_env` keys).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from bot.core.accounts import DEFAULT_LOGIN_PATTERNS, login_pattern_problem
from bot.yaml_files import safe_load

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config.yml"


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line meant for a person."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatePeriod(_Strict):
    """A span of days (inclusive, local time), e.g. a rentrée."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class FreezeWindow(DatePeriod):
    """A directory freeze announced by the ENT operator (dates inclusive, local time)."""

    reason: str = "maintenance"


class SupportContact(_Strict):
    name: str
    email: str | None = None
    url: AnyHttpUrl | None = None
    hours: str | None = None


class PasswordPolicy(_Strict):
    min_length: int = Field(8, ge=6, le=64)
    required_classes: int = Field(3, ge=1, le=4, description="of lower, upper, digit, special")


class CasAttributes(_Strict):
    """The attributes a tenant's CAS releases, by what they say; defaults read the netocentre operator's CAS as it is
    (its principal is `uid`, the account's identifier `ENTPersonLogin`). None: the CAS does not release it."""

    login: str | None = Field("ENTPersonLogin", description="the account's identifier; absent: the principal is")
    school: str | None = Field("ESCOUAICourant", description="the UAI of the school the person is at now")
    schools: str | None = Field("ESCOUAI", description="the UAIs of the person's schools (the first if no current one)")
    profiles: str | None = "ENTPersonProfils"
    groups: str | None = Field("isMemberOf", description="the groups `adml_groups` is matched against")
    mail: str | None = "mail"

    @field_validator("*")
    @classmethod
    def _a_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("an attribute name cannot be empty: write null when the CAS does not release it")
        return value


class CasSettings(_Strict):
    """The tenant's CAS (the ENT's own login): the strong proof that a chat's user owns an account."""

    url: AnyHttpUrl = Field(description="the CAS server's base URL: `<url>/login`, `<url>/p3/serviceValidate`")
    attributes: CasAttributes = CasAttributes()
    adml_groups: str | None = Field(
        None,
        description="a regex that a group of `attributes.groups` wholly matches when its member is an ADML, its named "
        "group `uai` saying of which school; null: the CAS does not say, the directory's ADML membership stands",
    )
    timeout_seconds: float = Field(5.0, gt=0, le=60, description="to wait for the CAS's ticket validation")

    @field_validator("adml_groups")
    @classmethod
    def _uai_group(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
        if "uai" not in compiled.groupindex:
            raise ValueError(f"{value!r} needs a named group (?P<uai>…) that captures the school's UAI")
        return value


class Tenant(_Strict):
    """One ENT deployment: its facts that are not in the seed documents."""

    name: str
    region: str
    ent_url: AnyHttpUrl
    cesame_url: AnyHttpUrl | None = None
    ent_mail_domain: str
    activation_procedure: Literal["monlycee", "netocentre"]
    school_holiday_zone: Literal["A", "B", "C"]
    uai_departments: list[str] = Field(default_factory=list, description="3-digit département prefixes of UAIs")
    validation_link_hours: int = Field(48, ge=1)
    freeze_windows: list[FreezeWindow] = Field(default_factory=list)
    support: SupportContact
    password_policy: PasswordPolicy = PasswordPolicy()
    login_patterns: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LOGIN_PATTERNS),
        min_length=1,
        description="regular expressions an identifier of this ENT wholly matches, in lower case",
    )
    cas: CasSettings | None = Field(None, description="the ENT's own login; null: linking by a one-time code only")

    @field_validator("login_patterns")
    @classmethod
    def _usable_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            problem = login_pattern_problem(pattern)
            if problem:
                raise ValueError(f"{pattern!r} {problem}")
        return patterns


class NluSettings(_Strict):
    """The NLU model's place and when its top intent is trusted (see bot/nlu/confidence.py)."""

    model_dir: Path = Path("var/nlu")
    confidence_strategy: Literal["absolute", "margin", "per_intent"] = "absolute"
    confidence_threshold: float = Field(0.5, gt=0, lt=1, description="absolute; per_intent: intents without their own")
    confidence_margin: float = Field(0.1, gt=0, lt=1, description="margin: top1 - top2 needed")
    per_intent_thresholds: dict[str, float] = Field(default_factory=dict, description="per_intent: fitted by nlu-eval")
    confidence_max_error: float = Field(0.03, gt=0, lt=1, description="nlu-eval fits settings to this error rate")
    ambiguity_margin: float = Field(0.1, ge=0, lt=1)
    review_below: float = Field(
        0.6, gt=0, le=1, description="answered messages under this confidence are listed on the desk to teach from"
    )
    heldout: Path | None = Field(
        Path("tests/data/nlu_heldout.yml"), description="utterances never trained on: export-training refuses them"
    )

    @field_validator("per_intent_thresholds")
    @classmethod
    def _probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        wrong = sorted(name for name, threshold in value.items() if not 0 < threshold < 1)
        if wrong:
            raise ValueError(f"thresholds must be between 0 and 1 (exclusive): {', '.join(wrong)}")
        return value


class AssistantSettings(_Strict):
    timezone: str = "Europe/Paris"
    transcript_retention_days: int = Field(90, ge=1)
    ticket_retention_days: int = Field(365, ge=1)
    ticket_reminder_minutes: int = Field(60, ge=1, description="remind agents of a ticket nobody took after this")
    validation_reminder_hours: int = Field(12, ge=1, description="remind a user this long before their link expires")
    run_scheduler: bool = Field(
        True, description="false: this instance never runs the scheduled jobs (the others share them by a lease)"
    )
    scheduler_lease_seconds: int = Field(
        30, ge=2, description="an instance that dies stops holding the scheduled jobs after this (another takes them)"
    )
    max_message_chars: int = Field(2000, ge=100)
    nlu: NluSettings = NluSettings()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: expected an IANA name such as Europe/Paris") from None
        return value


class StorageSettings(_Strict):
    url: str = "sqlite:///var/clef.db"

    @field_validator("url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("expected a SQLAlchemy URL such as sqlite:///var/clef.db")
        return value


class LdapAttributes(_Strict):
    """LDAP attribute names; defaults read the netocentre operator's (GIP RECIA) directory as it is."""

    person_class: str = "ENTPerson"
    structure_class: str = "ENTStructure"
    login: str = "ENTPersonLogin"
    given_name: str = "givenName"
    family_name: str = "sn"
    profiles: str = "ENTPersonProfils"
    uai: str = "ESCOUAI"
    source: str = "ENTPersonJointure"
    state: str = "ESCOPersonEtatCompte"
    charter: str = "ESCOPersonValidationCharte"
    mail: str = "mail"
    other_mails: str = "ENTPersonAutresMails"
    structure_uai: str = "ENTStructureUAI"
    structure_name: str = "ENTStructureNomCourant"
    structure_city: str = "l"
    locked_until: str = Field(
        "pwdAccountLockedTime",
        description="ppolicy's lock time (lock end = it + lockout_duration_seconds); any other name holds the lock end",
    )
    alias: str | None = Field("ENTPersonAlias", description="second login the CAS accepts; None: logins only")
    adml_of: str = Field("clefAdmlOf", description="project attribute: UAIs of which the person is ADML")
    structure_tenant: str | None = Field("clefTenant", description="project attribute: tenant of a school")
    structure_convention: str | None = Field("clefEntConvention", description="project attribute: TRUE if signed")


class CircuitBreakerSettings(_Strict):
    """When the assistant stops waiting on a failing directory (see `bot.directory.breaker`)."""

    failures: int = Field(3, ge=1, description="consecutive failures or timeouts that open the circuit")
    open_seconds: float = Field(30.0, gt=0, description="how long calls then fail at once, before one is tried")


class LdapSettings(_Strict):
    url: str = "ldap://127.0.0.1:389"
    bind_dn: str = "cn=admin,ou=administrateurs,dc=esco-centre,dc=fr"
    password_env: str = Field(
        "CLEF_LDAP_PASSWORD", description="the environment variable holding the bind password (never in this file)"
    )
    people_base: str = "ou=people,dc=esco-centre,dc=fr"
    structures_base: str = "ou=structures,dc=esco-centre,dc=fr"
    connect_timeout_seconds: float = Field(2.0, gt=0, description="to open the TCP connection")
    receive_timeout_seconds: int = Field(
        3, ge=1, description="to wait for each answer (bind, search, modify); whole seconds, as ldap3 needs"
    )
    breaker: CircuitBreakerSettings = CircuitBreakerSettings()
    attributes: LdapAttributes = LdapAttributes()
    profile_map: dict[str, str] = Field(
        default_factory=lambda: {
            "National_ELV": "student",
            "National_TUT": "parent",
            "National_ENS": "teacher",
            "National_DOC": "teacher",
            "National_DIR": "staff",
            "National_ETA": "staff",
            "National_EVS": "staff",
            "National_COL": "staff",
        }
    )
    convention_uais: list[str] = Field(default_factory=list, description="schools that signed the ENT agreement")
    tenant: str | None = Field(None, description="tenant of the schools whose tenant the directory does not say")
    local_sources: list[str] = Field(
        default_factory=lambda: ["ENT"], description="ENTPersonJointure sources of accounts created by hand (local)"
    )
    lockout_duration_seconds: int = Field(900, gt=0, description="the ppolicy pwdLockoutDuration of the server")
    allow_fixture_load: bool = Field(False, description="let load_fixture replace the people and schools (tests)")


class DirectorySettings(_Strict):
    kind: Literal["sql", "ldap"] = "sql"
    fixture: Path | None = Path("knowledge/demo-directory.yml")
    ldap: LdapSettings = LdapSettings()


class SmtpSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password_env: str = "CLEF_SMTP_PASSWORD"
    timeout_seconds: float = Field(10.0, gt=0)


class MailSettings(_Strict):
    kind: Literal["capture", "smtp"] = "capture"
    sender: str = "Assistance ENT <ne-pas-repondre@clef.invalid>"
    outbox_dir: Path = Path("var/outbox")
    retry_minutes: list[int] = Field(default_factory=lambda: [1, 5, 15, 60])
    smtp: SmtpSettings = SmtpSettings()


class RateLimit(_Strict):
    count: int = Field(ge=1)
    per_seconds: int = Field(ge=1)


class WebSettings(_Strict):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8080"), description="where users reach this server (validation links point here)"
    )
    agent_token_env: str = "CLEF_AGENT_TOKEN"
    agent_tokens_env: str = Field(
        "CLEF_AGENT_TOKENS", description="variable holding one token per agent: `name:token` pairs, comma-separated"
    )
    requests_per_ip: RateLimit = RateLimit(count=60, per_seconds=60)
    inbox_requests_per_ip: RateLimit = Field(
        RateLimit(count=120, per_seconds=60), description="inbox polls per client address (a page polls every 5 s)"
    )
    tickets_per_ip: RateLimit = Field(
        RateLimit(count=20, per_seconds=3600), description="tickets opened from one client address, whatever chat"
    )
    desk_failures_per_ip: RateLimit = Field(
        RateLimit(count=10, per_seconds=600), description="wrong desk tokens from one address before it must wait"
    )
    cas_callbacks_per_ip: RateLimit = Field(
        RateLimit(count=20, per_seconds=600),
        description="returns from a CAS login (`/cas/callback`) per client address",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list, description="reverse proxies whose X-Forwarded-For names the client (e.g. 127.0.0.1)"
    )
    widget_origins: list[str] = Field(
        default_factory=list,
        description="sites whose pages embed Rasa's web-chat widget over socket.io, e.g. https://www.lycee.example "
        "(the server's own origin and public_url always may connect)",
    )
    socket_sweep_seconds: float = Field(
        5.0,
        gt=0,
        description="how often the inboxes of the sockets connected here are read for what other "
        "instances sharing the database left in them",
    )
    workers: int = Field(
        1,
        ge=1,
        le=16,
        description="processes of this instance serving the web chat on the same port (the kernel spreads the "
        "connections: SO_REUSEPORT); one per core. With more than one, socket.io clients must use the websocket "
        "transport (polling needs every request of a session on one process)",
    )


class TelegramSettings(_Strict):
    token_env: str = "TELEGRAM_BOT_TOKEN"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: AnyHttpUrl | None = None
    base_url: str | None = Field(None, description="Bot API base, e.g. http://127.0.0.1:8081/bot (tests)")
    agents_chat_id: int | None = None
    agent_user_ids: list[int] = Field(default_factory=list)
    password_message_ttl_seconds: int = Field(600, ge=10)


class RateLimits(_Strict):
    lookups_per_chat: RateLimit = RateLimit(count=10, per_seconds=60)
    lookups_per_login: RateLimit = Field(
        RateLimit(count=12, per_seconds=600), description="look-ups of one identifier, all chats together"
    )
    lookups_per_address: RateLimit = Field(
        RateLimit(count=120, per_seconds=3600), description="look-ups from one web client address, all chats together"
    )
    operations_per_login: RateLimit = RateLimit(count=3, per_seconds=60)
    operations_per_chat: RateLimit = RateLimit(count=5, per_seconds=60)
    resend_cooldown_seconds: int = Field(60, ge=0)


class LinkingSettings(_Strict):
    code_digits: int = Field(6, ge=4, le=10)
    code_ttl_minutes: int = Field(10, ge=1)
    max_attempts: int = Field(5, ge=1, description="tries of one code")
    code_checks_per_login: RateLimit = Field(
        RateLimit(count=20, per_seconds=86400),
        description="codes checked (wrong or right) for one account, all chats together",
    )
    code_mails_per_login: list[RateLimit] = Field(
        default_factory=lambda: [RateLimit(count=1, per_seconds=60), RateLimit(count=5, per_seconds=3600)],
        description="code mails sent to one account, whoever asks",
    )
    secret_key_env: str = Field("CLEF_SECRET_KEY", description="environment variable holding the key of code hashes")
    secret_key_file: Path = Field(
        Path("var/secret.key"), description="where a generated key is kept (mode 0600) when the variable is unset"
    )
    link_lifetime_days: int = Field(30, ge=1, description="how long a chat stays linked to an account")
    adml_link_lifetime_hours: int = Field(12, ge=1, description="the same for an ADML's account")
    cas_login_minutes: int = Field(10, ge=1, le=60, description="how long a CAS login link offered in a chat works")
    cas_logins_per_chat: RateLimit = Field(
        RateLimit(count=6, per_seconds=3600), description="CAS login links offered to one chat (each works once)"
    )


class GlpiSettings(_Strict):
    """GLPI's REST API; the API user's token and the API client's App-Token are read from the environment."""

    api_url: AnyHttpUrl = Field(description="ends with apirest.php, e.g. https://glpi.example.fr/apirest.php")
    app_token_env: str | None = Field("CLEF_GLPI_APP_TOKEN", description="null when the API client needs none")
    user_token_env: str = "CLEF_GLPI_USER_TOKEN"
    category_id: int | None = Field(None, ge=1, description="the ITIL category (itilcategories_id) of the tickets")
    entity_id: int | None = Field(None, ge=0, description="the entity of the tickets (the API user's by default)")
    requester_user_id: int | None = Field(None, ge=1, description="a GLPI user named requester of every ticket")


class ZammadSettings(_Strict):
    """Zammad's REST API (`<url>/api/v1`) with an agent's access token read from the environment."""

    url: AnyHttpUrl = Field(description="the server's root, e.g. https://support.example.fr")
    token_env: str = "CLEF_ZAMMAD_TOKEN"
    group: str = Field("Users", min_length=1, description="the group (category) that receives the tickets")
    customer: str = Field(description="the address of the customer of a ticket whose requester has none known")
    closed_states: list[str] = Field(default_factory=lambda: ["closed", "merged"], min_length=1)


class HelpdeskSettings(_Strict):
    """The helpdesk the agents already use: each escalation is created there too and kept in step (README)."""

    kind: Literal["none", "glpi", "zammad"] = "none"
    poll_seconds: int = Field(60, ge=10, description="how often tickets there are read (followups, status)")
    tickets_per_run: int = Field(50, ge=1, le=1000, description="tickets created, and tickets read, per run at most")
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    webhook_secret_env: str | None = Field(
        None, description="names the variable holding the webhooks' signing secret; null: polling only"
    )
    glpi: GlpiSettings | None = None
    zammad: ZammadSettings | None = None

    @model_validator(mode="after")
    def _configured(self) -> HelpdeskSettings:
        if self.kind == "glpi" and self.glpi is None:
            raise ValueError("kind glpi needs a glpi section (api_url)")
        if self.kind == "zammad" and self.zammad is None:
            raise ValueError("kind zammad needs a zammad section (url, customer)")
        return self


class NoticeSettings(_Strict):
    """Messages sent before people get stuck (`bot.services.notices`), only to chats that opted in (`/abonner`)."""

    freeze_notice_days: int = Field(
        7, ge=1, le=60, description="a tenant's freeze window is announced this many days before it starts"
    )
    rentree: list[DatePeriod] = Field(
        default_factory=list, description="the rentrée periods: ADMLs who opted in get a weekly digest during them"
    )
    digest_weekday: int = Field(0, ge=0, le=6, description="the digest's day of the week: 0 Monday … 6 Sunday")
    digest_hour: int = Field(8, ge=0, le=23, description="local hour from which the week's digest goes")
    activation_reminder_hours: int = Field(
        72, ge=1, description="a linked user told 'not activated' is reminded once after this, if still not activated"
    )
    send_from_hour: int = Field(8, ge=0, le=23, description="no notice before this local hour")
    send_until_hour: int = Field(20, ge=1, le=24, description="nor from this local hour on")
    messages_per_run: int = Field(500, ge=1, description="messages a run sends at most; the rest go at the next run")

    @model_validator(mode="after")
    def _hours(self) -> NoticeSettings:
        if self.send_until_hour <= self.send_from_hour:
            raise ValueError(
                f"send_until_hour {self.send_until_hour} must be after send_from_hour {self.send_from_hour}"
            )
        if not self.send_from_hour <= self.digest_hour < self.send_until_hour:
            raise ValueError(f"digest_hour {self.digest_hour} is outside the sending hours")
        return self


class AppConfig(_Strict):
    assistant: AssistantSettings = AssistantSettings()
    storage: StorageSettings = StorageSettings()
    directory: DirectorySettings = DirectorySettings()
    mail: MailSettings = MailSettings()
    web: WebSettings = WebSettings()
    telegram: TelegramSettings = TelegramSettings()
    rate_limits: RateLimits = RateLimits()
    linking: LinkingSettings = LinkingSettings()
    helpdesk: HelpdeskSettings = HelpdeskSettings()
    notices: NoticeSettings = NoticeSettings()
    tenants: dict[str, Tenant]
    root: Path = Field(default=PROJECT_ROOT, exclude=True)

    @model_validator(mode="after")
    def _has_tenants(self) -> AppConfig:
        if not self.tenants:
            raise ValueError("at least one tenant is required")
        if self.notices.activation_reminder_hours >= self.linking.link_lifetime_days * 24:
            raise ValueError(
                f"notices.activation_reminder_hours {self.notices.activation_reminder_hours} must be shorter than "
                f"linking.link_lifetime_days (a reminder goes to a chat whose link still holds)"
            )
        return self

    def path(self, relative: Path) -> Path:
        """A path of the configuration, resolved against the project root."""
        return relative if relative.is_absolute() else self.root / relative

    def tenant(self, tenant_id: str) -> Tenant:
        return self.tenants[tenant_id]

    def login_patterns(self) -> tuple[str, ...]:
        """Every tenant's identifier formats, once each."""
        return tuple(dict.fromkeys(p for tenant in self.tenants.values() for p in tenant.login_patterns))

    def cas_tenants(self) -> list[str]:
        """The tenants whose CAS proves identity (their callback is served by the web server, so it must run)."""
        if not self.web.enabled:
            return []
        return [tenant_id for tenant_id, tenant in self.tenants.items() if tenant.cas is not None]

    def tenant_for_uai(self, uai: str | None) -> str | None:
        """The tenant whose département prefixes match a school code, if exactly one does."""
        if not uai:
            return None
        matches = [tid for tid, t in self.tenants.items() if uai[:3] in t.uai_departments]
        return matches[0] if len(matches) == 1 else None


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with `override` merged in; nested mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    if kind == "missing":
        return f"{where}: required key is missing"
    got = error.get("input")
    if kind == "value_error":  # our own validators' messages: kept as written (names, case)
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    return f"{where}: {error['msg'].lower()} (got {shown})"


def parse_config(raw: Any, source: str = "config.yml", root: Path = PROJECT_ROOT) -> AppConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    try:
        return AppConfig.model_validate({**raw, "root": root})
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{source}: {_describe(first)}{suffix}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {not_utf8(exc)}") from None
    try:
        raw = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return raw or {}


def not_utf8(error: UnicodeDecodeError) -> str:
    """What is wrong with a file that is not UTF-8, in one line (the file's name is added by the caller)."""
    return f"is not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start}): save it as UTF-8"


def config_path(path: Path | None = None) -> Path:
    """The configuration file: `path`, else the one the `CLEF_CONFIG` variable names, else config.yml."""
    return path or Path(os.environ.get("CLEF_CONFIG") or DEFAULT_CONFIG_PATH)


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> AppConfig:
    """Read, merge and validate the configuration (the `CLEF_CONFIG` variable may name the file)."""
    path = config_path(path)
    raw = read_config_file(path)
    if overrides:
        raw = deep_merge(raw, overrides)
    return parse_config(raw, source=path.name, root=PROJECT_ROOT)


def secret(env_name: str) -> str | None:
    """A secret from the environment; empty means absent."""
    value = os.environ.get(env_name, "").strip()
    return value or None
