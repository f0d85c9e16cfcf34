"""`Assistant.handle`: the only entry for every channel's message."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.accounts import DEFAULT_LOGIN_PATTERNS, matches_login
from bot.core.chat_days import turn_usage
from bot.core.eligibility import PROFILES_WITHOUT_SCHOOL
from bot.core.redaction import contains_password, password_spans, redact
from bot.dialogue.engine import DialogueEngine, DialogueState, Speaker
from bot.dialogue.understanding import Lexicon, third_person
from bot.directory.port import DirectoryError
from bot.messages import Button, InboundMessage, OutboundMessage, TurnResult
from bot.nlu.model import NluModel
from bot.nlu.multi import parse_message
from bot.services.chat_locks import ChatLocks
from bot.services.container import Services
from bot.storage.audit import AuditEntry
from bot.storage.db import UNAVAILABLE_ERRORS, statements_together
from bot.storage.tickets import TicketView
from bot.texts import text as message_text

log = logging.getLogger(__name__)

CONTRACT_OPERATIONS = {
    "resend_validation_link",
    "resend_activation_mail",
    "reset_password",
    "unlock_account",
    "link_account",
    "notify_adml",
    "create_ticket",
}
HIDDEN_SECRET = message_text("transcript_hidden_secret")
HIDDEN_CODE = message_text("transcript_hidden_code")
HIDDEN_TEXT = message_text("transcript_hidden_text")
_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*(?![\w.@/-])")
# what announces a secret typed: a password word, or "j'ai essayé / tapé / mis …", "avec … ça marche pas"
_SECRET_CUES = re.compile(
    r"mot\s+de\s+passe|\bmdp\b|\bmp\b|password|\bpass\b|\bcode\b"
    r"|\bessay|\btap[ée]|\bj['’ ]?ai\s+mis\b|\bentr[ée]\b|\bavec\s+\S+\s+(?:ca|ça|sa)\b",
    re.IGNORECASE,
)
# the owner named after the secret's word ("le mot de passe de test14"): an identifier, not the secret
_OWNER_AFTER_CUE = re.compile(r"^\s*(?:de|du|d['’])\s*$", re.IGNORECASE)
SECRET_REACH = 6  # words after a secret's cue that may be the secret itself


# an ADML's reset verb before the secret's word names the account's owner ("reinit mdp test40")
_RESET_VERB = re.compile(r"\b(?:r[ée]init\w*|reset|r[ée]initialis\w*)\b", re.IGNORECASE)
# an identifier announced after the secret's word ("… les codes. mon identifiant c test503")
_VALUE_INTRODUCED = re.compile(r"[:=]|\bc['’ ]?est\b|\best\b|\b[ée]tait\b|\bvoici\b|\bvoil[àa]\b", re.IGNORECASE)
_IDENTIFIER_CUE = re.compile(r"\b(?:identifiant|identifian|identifiants|id|login)\b", re.IGNORECASE)


def _names_the_owner(before: str) -> bool:
    """Whether the words just before a word ask to reset someone's password: the word is that someone."""
    return bool(_RESET_VERB.search(" ".join(before.split()[-3:])))


def _announced_as_secret(before: str) -> bool:
    """Whether the text just before a word announces a secret ("mon mdp c'est", "j'ai essayé")."""
    near = " ".join(before.split()[-SECRET_REACH:])
    cues = list(_SECRET_CUES.finditer(near))
    if not cues:
        return False
    after = near[cues[-1].end() :]
    # "on m'a donné un nouveau mdp provisoire, test88": a clause told about a password, then a word after a comma
    # that nothing introduces as its value (no "c'est", ":", "=") — a candidate identifier (concealed if no account)
    told_about = "," in after and not _VALUE_INTRODUCED.search(after)
    return not _OWNER_AFTER_CUE.match(after) and not _IDENTIFIER_CUE.search(after) and not told_about


@dataclass
class Assistant:
    """One turn at a time per chat: understands a message and answers it (`handle`)."""

    services: Services
    nlu: NluModel
    engine: DialogueEngine
    lexicon: Lexicon
    chat_locks: ChatLocks = field(default_factory=ChatLocks)

    def handle(self, message: InboundMessage) -> TurnResult:
        """One user turn, start to end; turns of one chat never run at the same time, in this process (a thread lock)
        nor across the instances sharing a PostgreSQL database (the chat's lock in the database, taken once this
        process's turn of the chat, if any, is over). Its reads share one database connection."""
        with self.chat_locks.holding(message.sender_id):
            try:
                with (
                    self.services.conversation_locks.holding(message.sender_id),
                    statements_together(self.services.database),
                    self.services.audit.recording() as appended,
                    self.services.links.remembering(),
                ):
                    return self._handle(message, appended)
            except UNAVAILABLE_ERRORS as exc:
                # the database is locked, read-only or gone: a French answer, not an error page
                log.warning("database unavailable during a turn: %s", str(exc).splitlines()[0])
                state = DialogueState.new(message.sender_id, self.engine.domain)
                return TurnResult([_outbound(self._response("utter_database_down", state))])

    def _response(self, name: str, state: DialogueState | None, **values: Any) -> dict[str, Any]:
        """Response `name` filled from `values` and the slots (none when the conversation is not loaded yet)."""
        rendered = self.engine.domain.render(name, state.slots if state else {}, values)
        if rendered is None:
            raise KeyError(f"domain.yml must define {name}")
        return rendered

    def _state(self, stored: dict[str, Any] | None, sender_id: str) -> DialogueState:
        """The state of a stored tracker; it shares the tracker's values (the store hands out a copy of its own)."""
        if stored:
            return DialogueState.from_dict(stored, sender_id, self.engine.domain)
        return DialogueState.new(sender_id, self.engine.domain)

    def _state_before_turn(self, sender_id: str) -> DialogueState:
        """The conversation as it was before a turn that failed (the turn changed the state it was given)."""
        return self._state(self.services.conversations.load(sender_id), sender_id)

    def _handle(self, message: InboundMessage, appended: list[AuditEntry]) -> TurnResult:
        """The turn; `appended` fills with the audit entries it appends (its operations are read from them)."""
        s = self.services
        text, notices = self._bounded(message.text)
        if not text:
            return TurnResult([_outbound(self._response("utter_empty_message", None))])
        now = s.now()
        state = self._state(s.conversations.load(message.sender_id), message.sender_id)
        awaiting_code = state.active_loop == "link_form" and state.slots.get("requested_slot") == "link_code"
        if not text.startswith("/") and not awaiting_code and contains_password(text):
            notices.append(OutboundMessage(self._response("utter_password_never", state)["text"]))
        tickets_seen = s.tickets.changes
        open_ticket = s.tickets.open_for(message.sender_id)
        parse = self._parse(text, awaiting_code, message.client_address)
        events_before = len(state.events)
        state, produced, hidden, understood = self._run_engine(message, state, parse, now)
        hidden = hidden or awaiting_code
        state.drop_metadata()
        marker = HIDDEN_CODE if awaiting_code else HIDDEN_TEXT
        if hidden:  # a code typed, or a bare word where an identifier was asked (it may be a password): never kept
            _forget_hidden(state, parse, marker)
        if state.slots.get("speaker"):  # someone writes for someone else: "son compte", never "votre compte"
            produced = [{**m, "text": third_person(m.get("text") or "", self.lexicon.third_person)} for m in produced]
        replies = notices + [_outbound(m) for m in produced]
        if open_ticket and not text.startswith("/"):
            self._forward_to_ticket(open_ticket, marker if hidden else redact(text), now)
        transcript: list[tuple[str, str, str | None, float | None]] = [
            ("in", marker if hidden else text, parse["intent"]["name"], parse["intent"]["confidence"])
        ]
        transcript += [("out", HIDDEN_SECRET if r.sensitive else r.text, None, None) for r in replies]
        ticket = open_ticket if s.tickets.changes == tickets_seen else s.tickets.open_for(message.sender_id)
        usage = turn_usage(
            now.astimezone(s.timezone).date(),
            message.channel,
            state.slots,
            state.events[events_before:],  # a failed turn's state is the one before it: no event of its own
            tuple(s.config.tenants),
            ticket.id if ticket else None,
        )
        s.conversations.save(message.sender_id, message.channel, state.to_dict(), transcript, now, usage)
        operations = [
            {"op": e.operation, "login": e.target, "by": e.actor_login}
            for e in appended
            if e.actor == message.sender_id and e.outcome == "done" and e.operation in CONTRACT_OPERATIONS
        ]
        return TurnResult(
            messages=replies,
            intent=understood,
            confidence=parse["intent"]["confidence"],
            diagnosis=state.slots.get("diagnosis"),
            operations=operations,
            ticket={"id": ticket.id, "status": ticket.status} if ticket else None,
        )

    def _bounded(self, typed: str) -> tuple[str, list[OutboundMessage]]:
        """The message on one line, cut to the configured length (with a notice when it was cut)."""
        limit = self.services.config.assistant.max_message_chars
        text = " ".join(typed.replace("\x00", " ").split())
        if len(text) <= limit:
            return text, []
        return text[:limit], [_outbound(self._response("utter_message_too_long", None, limit=limit))]

    def _parse(self, text: str, awaiting_code: bool, client_address: str | None) -> dict[str, Any]:
        parse = parse_message(self.nlu, text)
        if not awaiting_code:  # a code is typed now: no word of it is an identifier
            self._add_tenant_logins(parse, text)
        _prefer_specific_profiles(parse)
        if client_address:  # as a Rasa channel passes it: the actions' per-address limits read it
            parse["metadata"] = {"client_address": client_address}
        return parse

    def _run_engine(
        self, message: InboundMessage, state: DialogueState, parse: dict[str, Any], now: dt.datetime
    ) -> tuple[DialogueState, list[dict[str, Any]], bool, str]:
        """The dialogue's turn: the state after it, its replies, whether the message must not be kept, the intent
        understood. A directory down or a defect answers in plain French and keeps the conversation as it was."""
        try:
            outcome = self.engine.run_turn(state, parse, now, self._speaker(message.sender_id))
        except DirectoryError as exc:
            log.warning("directory unavailable during a turn: %s", exc)
            before = self._state_before_turn(message.sender_id)
            return before, [self._response("utter_directory_down", before)], False, str(parse["intent"]["name"])
        except Exception:
            log.exception("turn failed for a %s chat", message.channel)
            before = self._state_before_turn(message.sender_id)
            return before, [self._response("utter_internal_error", before)], False, str(parse["intent"]["name"])
        hidden = outcome.hide_user_text
        if state.slots.get("conceal_message"):  # an action found the message must not be kept
            hidden = True  # (its identifier entities are forgotten with every hidden message's)
            state.slots["conceal_message"] = False
            state.forget_value(str(parse["text"]).strip().lower())
        return state, outcome.messages, hidden, outcome.intent or str(parse["intent"]["name"])

    def _forward_to_ticket(self, ticket: TicketView, forwarded: str, now: dt.datetime) -> None:
        """A message of a chat whose ticket is open reaches the agents (already redacted or hidden)."""
        self.services.tickets.add_message(ticket.id, "user", forwarded, now)
        for listener in self.services.user_message_listeners:
            listener(ticket, forwarded)

    def _add_tenant_logins(self, parse: dict[str, Any], text: str) -> None:
        """Identifiers in a tenant's own format (`test14`) as `username` entities: right after an identifier cue, else
        a word wholly of that form. When the message speaks of a secret, only a word that is neither the secret the
        redaction finds nor one announced just before ("j'ai essayé soleil2024"): "test77, mon mdp c …" keeps test77."""
        if text.startswith("/") or any(e.get("entity") == "username" for e in parse.get("entities") or []):
            return
        extra = [p for p in self.services.config.login_patterns() if p not in DEFAULT_LOGIN_PATTERNS]
        if not extra:
            return
        found = [e.as_dict() for e in self.nlu.extractor.extract(text, extra) if e.entity == "username"]
        if not found:
            # a word wholly in a tenant's format ("c test14", "…, f1abc"): a candidate identifier; one that is no
            # account is then neither repeated nor kept (it may have been a password)
            cued = bool(_SECRET_CUES.search(text))
            secrets = password_spans(text)  # a lone password-like word among them, unless named an identifier
            found = [
                {"entity": "username", "value": m.group(0).lower(), "start": m.start(), "end": m.end()}
                for m in _WORD.finditer(text)
                if matches_login(m.group(0).lower(), extra)
                and (
                    _names_the_owner(text[: m.start()])
                    or (
                        not any(start < m.end() and m.start() < end for start, end in secrets)
                        and not (cued and _announced_as_secret(text[: m.start()]))
                    )
                )
            ][:1]
        if found:
            parse["entities"] = sorted([*parse.get("entities", []), *found], key=lambda e: int(e["start"]))

    def _speaker(self, sender_id: str) -> Speaker:
        actor = self.services.actor(sender_id)
        account = actor.linked_account
        return Speaker(
            own_login=account.login if account else None, is_adml=bool(account and account.adml_of) or actor.is_agent
        )


def _forget_hidden(state: DialogueState, parse: dict[str, Any], marker: str) -> None:
    """A message that must not be kept: its text replaced by `marker`, the identifiers it gave forgotten."""
    state.hide_latest_user_text(marker)
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "username":
            state.forget_value(entity.get("value"))


def _prefer_specific_profiles(parse: dict[str, Any]) -> None:
    """A profile without a school says more than a generic one named in the same message ("technicien chez un
    prestataire du CRIDF"): the generic ones are dropped."""
    entities = parse.get("entities") or []
    profiles = [e for e in entities if e.get("entity") == "profile"]
    if len(profiles) > 1 and any(e.get("value") in PROFILES_WITHOUT_SCHOOL for e in profiles):
        parse["entities"] = [
            e for e in entities if e.get("entity") != "profile" or e.get("value") in PROFILES_WITHOUT_SCHOOL
        ]


def _button(raw: dict[str, Any]) -> Button:
    """A rendered button: a payload to send back, or a link to open (`url`)."""
    if raw.get("url"):
        return Button(str(raw["title"]), url=str(raw["url"]))
    return Button(str(raw["title"]), str(raw["payload"]))


def _outbound(message: dict[str, Any]) -> OutboundMessage:
    custom = message.get("custom") or {}
    document = custom.get("document")
    return OutboundMessage(
        text=message.get("text") or "",
        buttons=tuple(_button(b) for b in message.get("buttons") or []),
        sensitive=bool(custom.get("sensitive")),
        document=(str(document["filename"]), str(document["content"])) if isinstance(document, dict) else None,
    )
