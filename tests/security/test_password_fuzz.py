"""No password a user types is kept anywhere: every table, the logs, the mail outbox, the trackers.

About 2,000 messages, each holding its own generated password (strong, lowercase-only, lowercase with digits,
digits-only, accented, capitalised, passphrases), in 22 phrasings ("mon mdp c'est …", "mp: …", "j'ai essayé … mais",
a bare password…) and six contexts (a fresh chat, with and without an escalation in the same message; right after the
assistant asked for the identifier, with and without an escalation; while a ticket is open; while a linking code
is asked), are driven through the real assistant. Afterwards every row and column of every table (by SQLAlchemy
reflection), the captured logs at DEBUG, the outbox mails and the stored trackers are searched for each password,
case-insensitively. A failure lists the leaking contexts, phrasings and the table.column (or log, outbox) where
each password was found.
"""

from __future__ import annotations

import collections
import contextlib
import email
import email.policy
import json
import logging
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import MetaData, select

from bot.logging_redaction import install_log_redaction, uninstall_log_redaction
from bot.services import Services
from bot.services.assistant import Assistant
from tests.conftest import ROOT, Chat, SettableClock

pytestmark = pytest.mark.security

ESCALATION = " je veux parler à un conseiller"
PHRASINGS: dict[str, str] = {
    "mdp_cest": "mon mdp c'est {pw}",
    "mdp_est": "mon mot de passe est {pw}",
    "mot_de_passe_colon": "mot de passe : {pw}",
    "mdp_colon": "mdp: {pw}",
    "mp_colon": "mp: {pw}",
    "pass_colon": "pass : {pw}",
    "mdp_est_colon": "mon mdp est : {pw}",
    "mdp_cest_typo": "mon mdp cest {pw}",
    "mdp_c": "mon mdp c {pw}",
    "password_equals": "password={pw}",
    "code_acces": "mon code d'accès c'est {pw}",
    "provisoire": "mon mot de passe provisoire c'est {pw}",
    "mdp_nothing": "mon mdp {pw} marche pas",
    "essaye_mais": "j'ai essayé {pw} mais ça marche pas",
    "tape": "j'ai tapé {pw}",
    "avec_marche_pas": "avec {pw} ça marche pas",
    "quoted": "mon mdp c'est « {pw} »",
    "before_announcer": "{pw} c'est mon mot de passe",
    "mis_comme": "jai mis {pw} comme mdp",
    "identifier_and_password": "identifiant marie.dupont mdp : {pw}",
    "credentials_together": "marie.dupont {pw}",
    "bare": "{pw}",
}
# a bare word is a password only where the assistant just asked for something: elsewhere nothing tells it from any
# other word, so it is sent only in those contexts
BARE_CONTEXTS = {"identifier_asked", "code_asked"}
CONTEXTS = (
    "fresh",
    "fresh_escalation",
    "identifier_asked",
    "identifier_asked_escalation",
    "ticket_open",
    "code_asked",
)
MESSAGES_PER_CHAT = {
    "fresh": 1,
    "fresh_escalation": 1,
    "identifier_asked": 2,
    "identifier_asked_escalation": 1,
    "ticket_open": 10,
    "code_asked": 4,
}
KINDS = ("strong", "lowercase", "lowercase_digits", "digits", "accented", "passphrase", "capitalised")
PER_PHRASING_AND_CONTEXT = 16
MIN_LENGTH = 4  # shorter passwords are not searched for

_CONSONANTS = "bcdfgjklmnprstvz"
_VOWELS = "aeiou"
_ACCENTED = "éèêàùôî"
_SYMBOLS = "!?*%&$#-+_"


def _syllables(rng: random.Random, count: int) -> str:
    """A pronounceable made-up word: no French text of the assistant holds it."""
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(count)) + rng.choice("krzvxw")


def make_password(kind: str, rng: random.Random) -> str:
    if kind == "strong":
        chars = [rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ"), rng.choice("23456789"), rng.choice(_SYMBOLS)]
        chars += [rng.choice("abcdefghjkmnpqrstuvwxyz23456789" + _SYMBOLS) for _ in range(rng.randint(6, 9))]
        rng.shuffle(chars)
        return "z" + "".join(chars)
    if kind == "lowercase":
        return _syllables(rng, rng.randint(3, 5))
    if kind == "lowercase_digits":
        return _syllables(rng, rng.randint(2, 4)) + str(rng.randint(10, 9999))
    if kind == "digits":
        return str(rng.randint(10**6, 10**9 - 1))  # 7 to 9 digits: never a 6-digit code nor a stored timestamp part
    if kind == "accented":
        word = _syllables(rng, rng.randint(2, 4))
        return word[:3] + rng.choice(_ACCENTED) + word[3:] + rng.choice(_ACCENTED)
    if kind == "passphrase":
        return " ".join(_syllables(rng, rng.randint(2, 3)) for _ in range(rng.randint(3, 4)))
    if kind == "capitalised":
        return _syllables(rng, 3).capitalize() + str(rng.randint(1, 99))
    raise ValueError(kind)


@dataclass(frozen=True)
class Probe:
    context: str
    phrasing: str
    kind: str
    password: str
    text: str

    def secrets(self) -> list[str]:
        """What must not be found: the password, and each word of a passphrase."""
        parts = [self.password] + (self.password.split() if " " in self.password else [])
        return [part for part in parts if len(part) >= MIN_LENGTH]


def _knowledge_text() -> str:
    """All the assistant may say or store of itself ("activer" holds "tiver": no such word is a password)."""
    files = sorted(p for p in (ROOT / "knowledge").rglob("*") if p.is_file() and p.suffix in {".yml", ".md", ".txt"})
    files.append(ROOT / "config.yml")
    return "\n".join(p.read_text(encoding="utf-8") for p in files).lower()


def _probe(context: str, phrasing: str, kind: str, rng: random.Random) -> Probe:
    password = make_password(kind, rng)
    text = PHRASINGS[phrasing].format(pw=password) + (ESCALATION if context.endswith("_escalation") else "")
    return Probe(context, phrasing, kind, password, text)


def make_probes(seed: int = 20261125) -> list[Probe]:
    """The messages; no probe's secret is found in another probe's password nor in what the assistant says, so that
    each leak found has one origin."""
    rng = random.Random(seed)
    probes: list[Probe] = []
    for context in CONTEXTS:
        for phrasing in PHRASINGS:
            if phrasing == "bare" and context not in BARE_CONTEXTS:
                continue
            for index in range(PER_PHRASING_AND_CONTEXT):
                probes.append(_probe(context, phrasing, KINDS[(index + len(probes)) % len(KINDS)], rng))
    said = _knowledge_text()
    for _ in range(20):
        blob = "\n".join(word for p in probes for word in p.password.lower().split())
        shared = [
            i for i, p in enumerate(probes) if any(blob.count(s.lower()) > 1 or s.lower() in said for s in p.secrets())
        ]
        if not shared:
            return probes
        for i in shared:
            probes[i] = _probe(probes[i].context, probes[i].phrasing, probes[i].kind, rng)
    raise AssertionError("could not make probes whose passwords are all distinct")


# -- bringing a chat where each context needs it ------------------------------------------------------------------


def _state(services: Services, sender: str) -> tuple[str | None, str | None]:
    tracker = services.conversations.load(sender) or {}
    return tracker.get("active_loop"), (tracker.get("slots") or {}).get("requested_slot")


class Driver:
    """Sends each probe in its context, bringing a new chat there whenever the previous one left it."""

    def __init__(self, assistant: Assistant, services: Services, clock: SettableClock) -> None:
        self.assistant = assistant
        self.services = services
        self.clock = clock
        self.chats = 0
        self.turns = 0
        self.senders: list[str] = []
        self.logins = [
            a["login"]
            for a in yaml.safe_load((ROOT / "knowledge" / "demo-directory.yml").read_text(encoding="utf-8"))["accounts"]
        ]

    def _new_chat(self) -> Chat:
        self.chats += 1
        chat = Chat(self.assistant, f"web:fuzz-{self.chats}")
        self.senders.append(chat.sender)
        return chat

    def _say(self, chat: Chat, text: str) -> None:
        self.turns += 1
        chat.say(text)

    def in_context(self, chat: Chat, context: str) -> bool:
        if context.startswith("identifier_asked"):
            return _state(self.services, chat.sender) == ("diagnosis_form", "username")
        if context == "code_asked":
            return _state(self.services, chat.sender) == ("link_form", "link_code")
        if context == "ticket_open":
            return self.services.tickets.open_for(chat.sender) is not None
        return True

    def prepare(self, context: str) -> Chat:
        chat = self._new_chat()
        self.clock.advance(seconds=61)  # per-minute limits (one code a minute per account) start afresh
        if context.startswith("identifier_asked"):
            self._say(chat, "je n'arrive pas à me connecter")
        elif context == "ticket_open":
            self._say(chat, "je veux parler à un conseiller")
        elif context == "code_asked":
            self._say(chat, "/link_account")
            self._say(chat, self.logins[self.chats % len(self.logins)])
        assert self.in_context(chat, context), f"could not bring a chat to the context {context}: {chat.text!r}"
        return chat

    def run(self, probes: list[Probe]) -> None:
        for context in CONTEXTS:
            chat: Chat | None = None
            sent = 0
            for probe in (p for p in probes if p.context == context):
                if chat is None or sent >= MESSAGES_PER_CHAT[context] or not self.in_context(chat, context):
                    chat, sent = self.prepare(context), 0
                self._say(chat, probe.text)
                sent += 1
            self.clock.advance(days=1)  # daily limits (wrong codes per account) start afresh


# -- everything that was stored or logged ---------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s\"'’«»“”{}\[\],:;=()<>/\\|]+")


def _texts(value: object) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str) and value[:1] in "[{":
        with contextlib.suppress(ValueError):  # text that only looks like JSON is searched as text
            value = json.loads(value)
    if isinstance(value, (dict, list)):
        yield json.dumps(value, ensure_ascii=False)
    else:
        yield str(value)


def _database(services: Services) -> Iterator[tuple[str, str]]:
    metadata = MetaData()
    metadata.reflect(bind=services.database)
    with services.database.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    for text in _texts(value):
                        yield f"{table.name}.{column}", text


def _outbox(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if not path.is_file():
            continue
        raw = path.read_bytes()
        yield "outbox (raw)", raw.decode("utf-8", "replace")
        for part in email.message_from_bytes(raw, policy=email.policy.default).walk():
            if not part.is_multipart():
                yield "outbox", str(part.get_content())
        yield "outbox (headers)", str(email.message_from_bytes(raw, policy=email.policy.default).items())


class Haystack:
    """The stored texts by source, cut in tokens kept once each, so that 2,000 searches stay fast."""

    def __init__(self) -> None:
        self._tokens: dict[str, set[str]] = collections.defaultdict(set)

    def add(self, source: str, text: str) -> None:
        self._tokens[source].update(token for token in _SPLIT.split(text.lower()) if token)

    def freeze(self) -> None:
        self._blobs = {source: "\n".join(sorted(tokens)) for source, tokens in self._tokens.items()}
        self._everything = "\n".join(self._blobs.values())

    def sources_of(self, secret: str) -> list[str]:
        """Where `secret` was found, case-insensitively; a number only alone, not inside a longer one (ids)."""
        needle = secret.lower()
        pattern = re.compile(rf"(?<!\d){needle}(?!\d)" if needle.isdigit() else re.escape(needle))
        if not pattern.search(self._everything):
            return []
        return sorted(source for source, blob in self._blobs.items() if pattern.search(blob))


def _report(leaks: dict[Probe, list[str]], probes: list[Probe]) -> str:
    sent = collections.Counter(p.context for p in probes)
    lines = [f"{len(leaks)} of {len(probes)} messages left their password in storage, logs or mail:"]
    for context in CONTEXTS:
        leaked = [p for p in leaks if p.context == context]
        if not leaked:
            lines.append(f"  {context}: no leak ({sent[context]} messages)")
            continue
        where = collections.Counter(source for p in leaked for source in leaks[p])
        lines.append(
            f"  {context}: {len(leaked)}/{sent[context]} leaked, into "
            + ", ".join(f"{s} ({n})" for s, n in where.most_common())
        )
        by_phrasing = collections.Counter(p.phrasing for p in leaked)
        lines.append("      phrasings: " + ", ".join(f"{name} ({n})" for name, n in by_phrasing.most_common()))
        by_kind = collections.Counter(p.kind for p in leaked)
        lines.append("      kinds: " + ", ".join(f"{name} ({n})" for name, n in by_kind.most_common()))
        for probe in leaked[:3]:
            lines.append(f"      e.g. {probe.text!r} → {', '.join(leaks[probe])}")
    return "\n".join(lines)


@pytest.fixture
def redacted_logs() -> Iterator[None]:
    """The log redaction as `python -m bot` installs it."""
    install_log_redaction()
    yield
    uninstall_log_redaction()


def test_no_typed_password_is_kept_anywhere(
    assistant: Assistant,
    services: Services,
    clock: SettableClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    redacted_logs: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    probes = make_probes()
    assert len(probes) >= 2000 and len({p.password for p in probes}) >= 60

    driver = Driver(assistant, services, clock)
    driver.run(probes)

    haystack = Haystack()
    for source, text in _database(services):
        haystack.add(source, text)
    for sender in driver.senders:
        haystack.add(
            "tracker (ConversationStore.load)", json.dumps(services.conversations.load(sender), ensure_ascii=False)
        )
    for record in caplog.records:
        haystack.add(f"log ({record.name})", record.getMessage())
    haystack.add("log (formatted)", caplog.text)
    for source, text in _outbox(tmp_path / "outbox"):
        haystack.add(source, text)
    haystack.freeze()
    # the search sees what was stored: the identifiers typed, the mails sent, the logs
    assert {"messages.text", "conversations.tracker"} <= set(haystack.sources_of(driver.logins[1]))
    assert len(list((tmp_path / "outbox").glob("*.eml"))) > 100  # the linking codes mailed
    assert any(source.startswith("log (") for source in haystack.sources_of("validate_link_form"))

    leaks = {}
    for probe in probes:
        sources = sorted({source for secret in probe.secrets() for source in haystack.sources_of(secret)})
        if sources:
            leaks[probe] = sources
    assert not leaks, _report(leaks, probes) + f"\n({driver.chats} chats, {driver.turns} turns)"
