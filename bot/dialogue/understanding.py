"""Dialogue understanding: what the user means *now*, from the NLU parse and the conversation so far.

The NLU reads one message; this step reads it in the light of the conversation (the proposal awaiting a
yes or no, the value asked for, the topic in progress, the account already known, who is speaking for
whom) and says what to do as a short list of explicit commands, which the dialogue engine executes with
the rules and forms of `knowledge/`. It is pure: no I/O, no clock; its lexicons come from
`knowledge/understanding.yml`.

The commands are defined in `bot/dialogue/commands.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from bot.core.eligibility import PROFILES_WITHOUT_SCHOOL
from bot.dialogue import commands as cmd
from bot.nlu.normalise import fold
from bot.yaml_files import read_yaml

# intents whose answer is an article (a question), and problems a diagnosis answers once the account is known
QUESTION_INTENTS = frozenset(
    {
        "ask_activation_howto",
        "vacation_freeze",
        "cesame_access",
        "password_rules",
        "change_backup_email",
        "ask_ent_mail_address",
        "ask_account_origin",
        "account_reset_done",
        "lost_provisional_credentials",
        "nocas_eligibility",
    }
)
# intents that only say something about the account (never a request to change it) when an identifier comes along
PROBLEM_WITH_ACCOUNT = frozenset(
    {
        "cannot_login",
        "link_expired",
        "validation_mail_missing",
        "resend_activation",
        "lost_provisional_credentials",
        "account_reset_done",
        "vacation_freeze",
        "unlock_account",
        "link_account",
        "request_reset",
        "cesame_access",
        "password_rules",
    }
)
# problems a look-up of the account answers
DIAGNOSIS_PROBLEMS = frozenset({"cannot_login", "link_expired", "validation_mail_missing", "resend_activation"})
# the questions and problems that make "the topic in progress" for follow-ups
TOPIC_INTENTS = QUESTION_INTENTS | DIAGNOSIS_PROBLEMS | {"validation_link", "request_reset", "unlock_account"}
AGREED = 0.3
"""`_follow_up`: the least confidence for the classifier's reading to beat the topic near the answer, when the words
name its topic too."""
SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "bot_challenge"})
# intents that ask for an operation: with an identifier from someone who may not perform it, they state a problem
NOT_PROBLEMS = frozenset({"unlock_account", "link_account", "request_reset"})
# intents that, even with an identifier in the message, are not about that account's state
NOT_ABOUT_THE_ACCOUNT = frozenset(
    {"nocas_eligibility", "escalate_human", "ticket_status", "rate_ticket", "cancel", "help"}
)
# above this confidence, a question on another topic is a new question even when it leans on the last answer
STRONG = 0.8
# topics after which "I don't know" means the identifier
IDENTIFIER_TOPICS = frozenset(
    {"ask_activation_howto", "cannot_login", "lost_provisional_credentials", "account_reset_done"}
)


# questions whose follow-up patterns name them precisely enough to be found beside a problem
NAMED_QUESTIONS = ("password_rules", "validation_link", "change_backup_email", "ask_ent_mail_address", "cesame_access")
# the article that tells an account's state's steps (asked again for another ENT or person: "c'est pareil pour lui ?")
STEPS_OF_DIAGNOSIS = {
    "not_activated": "ask_activation_howto",
    "reset_pending": "account_reset_done",
    "vacation_freeze": "vacation_freeze",
}
# the account's state says which steps "activating" means for it
STEPS_FOR_STATE = {"reset_pending": "account_reset_done"}


def _retopic(command: cmd.Command, topic: str, instead: str) -> cmd.Command:
    if isinstance(command, cmd.StartTopic) and command.intent == topic:
        return cmd.StartTopic(instead)
    if isinstance(command, cmd.FollowUp) and command.intent == topic:
        return cmd.FollowUp(instead)
    return command


class UnderstandingError(ValueError):
    """understanding.yml cannot be used; the message names the key."""


Patterns = tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Lexicon:
    """The patterns of `knowledge/understanding.yml`, compiled (the file says what each key is for, with examples).

    The fields typed `Patterns` are one list each in the file, read by name."""

    yes: Patterns  # a yes written as a sentence, when something was proposed
    no: Patterns  # a no, likewise
    dont_know: Patterns  # "I don't know it", for a value asked
    correction: Patterns  # "I was wrong" before a corrected value
    admin_unlock: Patterns  # an ADML's unlock, in words
    admin_reset: Patterns  # an ADML's reset, in words
    admin_list: Patterns  # an ADML asking for the accounts to activate
    linking: Patterns  # asking to prove one owns an account
    followup_cues: Patterns  # short words that mark a follow-up
    login_problem: Patterns  # an unsure message about logging in
    human: Patterns  # asking for a person in so many words
    no_human: Patterns  # declining a person in so many words
    question: Patterns  # a question without its question mark
    thanks: Patterns
    followup_where: Patterns  # "where do I click?", about the topic in progress
    unknown_identifier: Patterns  # not knowing one's identifier, beside a problem
    goodbye: Patterns  # a farewell: the conversation ends
    yes_but: Patterns  # a yes that goes on with a question
    same_again: Patterns  # the same question for another ENT or person
    school_named: Patterns  # a school named in a sentence
    ticket_followup: Patterns  # a question about the ticket just opened
    not_the_ticket: Patterns  # ... unless it names something else
    for_someone_else: dict[str, Patterns]  # by whom the message is written (a parent, a teacher)
    followups: dict[str, Patterns]  # by topic: a short unsure message about it
    near_followups: dict[str, Patterns]  # by topic: tried only after the topics near it
    followup_near: dict[str, tuple[str, ...]]  # by topic in progress: the topics a follow-up most likely leans on
    third_person: tuple[tuple[str, str], ...]  # (own-account wording, someone else's)
    tenant_hints: dict[str, Patterns]  # by tenant: words that say which ENT a question is about
    sms_words: dict[str, str]  # "cmb" → "combien", before any pattern is tried


# the keys of understanding.yml that are one list of patterns each
PATTERN_LISTS = tuple(f.name for f in fields(Lexicon) if f.type == "Patterns")


def _compile(raw: Any, where: str) -> Patterns:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise UnderstandingError(f"understanding.yml: {where}: expected a list of patterns")
    try:
        return tuple(re.compile(p) for p in raw)
    except re.error as exc:
        raise UnderstandingError(f"understanding.yml: {where}: bad pattern ({exc})") from None


def parse_lexicon(raw: Any) -> Lexicon:
    if not isinstance(raw, dict):
        raise UnderstandingError("understanding.yml: expected a mapping")

    def groups(key: str) -> dict[str, Patterns]:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            raise UnderstandingError(f"understanding.yml: {key}: expected a mapping")
        return {name: _compile(patterns, f"{key}.{name}") for name, patterns in value.items()}

    near = raw.get("followup_near") or {}
    if not isinstance(near, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in near.values()
    ):
        raise UnderstandingError("understanding.yml: followup_near: expected a mapping of topics to lists of topics")
    sms = raw.get("sms_words") or {}
    if not isinstance(sms, dict):
        raise UnderstandingError("understanding.yml: sms_words: expected a mapping of typed words to words")
    pairs = raw.get("third_person") or []
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise UnderstandingError("understanding.yml: third_person: expected [from, to] pairs")
    lists: dict[str, Any] = {name: _compile(raw.get(name) or [], name) for name in PATTERN_LISTS}
    return Lexicon(
        **lists,
        for_someone_else=groups("for_someone_else"),
        followups=groups("followups"),
        near_followups=groups("near_followups"),
        followup_near={str(k): tuple(v) for k, v in near.items()},
        third_person=tuple((str(a), str(b)) for a, b in pairs),
        tenant_hints=groups("tenant_hints"),
        sms_words={str(k): str(v) for k, v in sms.items()},
    )


def load_lexicon(path: Path) -> Lexicon:
    return parse_lexicon(read_yaml(path, UnderstandingError))


@dataclass(frozen=True)
class DialogueContext:
    """What the conversation says about this moment (read from the tracker by the engine)."""

    pending_proposal: str | None = None
    requested_slot: str | None = None
    active_form: str | None = None
    topic: str | None = None  # the question or problem in progress
    known_login: str | None = None
    diagnosis: str | None = None
    handled: tuple[str, ...] = ()  # topics already dealt with in this conversation, the earliest first
    speaker_is_adml: bool = False
    own_login: str | None = None  # the account this chat proved it owns
    tenant: str | None = None
    asking_tenant: bool = False  # the assistant asked which ENT (the answer may be a school's name)
    proposal_is_latest: bool = True  # the pending proposal is the assistant's last question (nothing came between)
    ticket_open: bool = False  # this chat opened a ticket
    listed_logins: tuple[str, ...] = ()  # the identifiers of the ADML's last list of accounts to activate


@dataclass(frozen=True)
class Understanding:
    commands: tuple[cmd.Command, ...]
    hide_text: bool = False
    second_intent: str | None = None  # a second problem of the message, to offer once the first is dealt with

    @property
    def main(self) -> cmd.Command:
        return next(c for c in self.commands if not isinstance(c, (cmd.SpeakFor, cmd.NoteTenant)))

    def intent(self, nlu_intent: str) -> str:
        """The intent this message was understood as (the NLU's, unless the conversation says otherwise)."""
        main = self.main
        if isinstance(main, cmd.ConfirmProposal):
            return "affirm"
        if isinstance(main, cmd.DenyProposal):
            return "deny"
        if isinstance(main, cmd.HandOver):
            return "escalate_human"
        if isinstance(main, (cmd.StartTopic, cmd.FollowUp)) and main.intent != "inform":
            return main.intent
        if isinstance(main, cmd.AnswerSeveral):
            return main.intents[0]
        return nlu_intent


def simplify(text: str) -> str:
    """Folded text with punctuation and apostrophes as spaces: what the lexicon patterns see."""
    folded = fold(text)
    folded = re.sub(r"[’'`´]", " ", folded)
    folded = re.sub(r"[^a-z0-9@#./\-]+", " ", folded)
    return " ".join(folded.replace("-", " ").split())


def _any(patterns: Patterns, text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _entity(parse: Mapping[str, Any], name: str) -> Any:
    return next((e["value"] for e in parse.get("entities") or [] if e.get("entity") == name), None)


_Step = tuple[tuple[cmd.Command, ...], bool]  # the commands, and whether the message's text must not be kept


@dataclass(frozen=True)
class _Message:
    """One message as the rules read it: its parse, the conversation's context, and what it says."""

    parse: Mapping[str, Any]
    context: DialogueContext
    text: str
    simple: str
    intent: str
    confidence: float
    confident: bool
    login: str | None
    words: tuple[str, ...]
    asks: bool
    yes: bool
    no: bool

    def says(self, patterns: Patterns) -> bool:
        return _any(patterns, self.simple)

    @property
    def is_new_request(self) -> bool:
        """A sure reading of a request of its own (not a value, a yes/no or small talk)."""
        return self.confident and self.intent not in ("inform", "affirm", "deny", "out_of_scope", *SMALL_TALK)


def _only(command: cmd.Command) -> _Step:
    return (command,), False


def _listed_by_first_name(context: DialogueContext, words: tuple[str, ...]) -> str | None:
    """The one account of the ADML's last list whose first name the message says ("et maxime ?")."""
    if not context.speaker_is_adml:
        return None
    named = [login for login in context.listed_logins if simplify(login.split(".")[0]) in words]
    return named[0] if len(named) == 1 else None


def _problem_of(intent: str, topic: str | None) -> str:
    """The problem a message with an identifier states: its own, else the topic in progress, else "can't log in"."""
    if intent in PROBLEM_WITH_ACCOUNT and intent not in NOT_PROBLEMS:
        return intent
    if topic in PROBLEM_WITH_ACCOUNT and topic not in NOT_PROBLEMS:
        return str(topic)
    return "cannot_login"


@dataclass(frozen=True)
class Understander:
    """`understand(parse, context)` with the lexicon, the confidence policy and the identifier rule bound in."""

    lexicon: Lexicon
    is_confident: Callable[[Mapping[str, Any]], bool]
    login_of: Callable[[str], str | None]  # the identifier a word is, in any tenant's format (None: not one)
    answerable: frozenset[str] = QUESTION_INTENTS  # intents a knowledge article answers
    answerable_anywhere: frozenset[str] = frozenset()  # of those, the ones whose answer is the same for every ENT
    opens_form: frozenset[str] = frozenset()  # intents whose rule asks something back (a second *problem*: offered)

    def understand(self, parse: Mapping[str, Any], context: DialogueContext) -> Understanding:
        text = str(parse.get("text") or "")
        intent = str((parse.get("intent") or {}).get("name") or "")
        if text.lstrip().startswith("/"):  # a button or a command: said exactly
            return Understanding((cmd.StartTopic(intent),))
        # SMS spellings written out; an address typed is one mark, so no pattern matches a word inside it ("gmail")
        simple = " ".join(
            "@" if "@" in word else self.lexicon.sms_words.get(word, word) for word in simplify(text).split()
        )
        prefix: tuple[cmd.Command, ...] = ()
        role = self._someone_else(simple)
        if role:
            prefix = (cmd.SpeakFor(role),)
        if context.tenant is None and not _entity(parse, "tenant"):
            hinted = [t for t, patterns in self.lexicon.tenant_hints.items() if _any(patterns, simple)]
            if len(hinted) == 1:
                prefix += (cmd.NoteTenant(hinted[0]),)
        commands, hide = self._main(parse, context, simple, intent)
        own_steps = STEPS_FOR_STATE.get(context.diagnosis or "")
        if own_steps:  # "je clique sur « Activer mon compte » ?" about a reset account: its own steps
            commands = tuple(_retopic(c, "ask_activation_howto", own_steps) for c in commands)
        second = self._second_intent(parse, intent)
        adml_operation = context.speaker_is_adml and any(
            isinstance(c, cmd.StartTopic) and c.intent in ("request_reset", "unlock_account") for c in commands
        )
        if adml_operation:  # "et celui de ma nièce ?": an ADML's operation speaks of the ADML's own school
            prefix = tuple(c for c in prefix if not isinstance(c, cmd.SpeakFor))
        no_offer = adml_operation or (context.ticket_open and cmd.StartTopic("ticket_status") in commands)
        if no_offer or any(
            isinstance(c, cmd.AnswerSeveral | cmd.FollowUp) or (isinstance(c, cmd.Diagnose) and c.problem == second)
            for c in commands
        ):
            second = None  # dealt with in this very reply, or a follow-up on the topic, an operation, the ticket
        return Understanding(prefix + commands, hide, second)

    # -- the parts --------------------------------------------------------------------------------
    def _second_intent(self, parse: Mapping[str, Any], intent: str) -> str | None:
        second = (parse.get("secondary_intent") or {}).get("name")
        if not second or second == intent:
            return None
        if second == "lost_provisional_credentials" and self._login_in(parse, str(parse.get("text") or "")):
            return None  # "identifiant x.y" reads as lost credentials; the identifier is right there
        return str(second)

    def _someone_else(self, simple: str) -> str | None:
        for role, patterns in self.lexicon.for_someone_else.items():
            if _any(patterns, simple):
                return role
        return None

    def _login_in(self, parse: Mapping[str, Any], text: str) -> str | None:
        entity = _entity(parse, "username")
        if isinstance(entity, str) and self.login_of(entity):
            return self.login_of(entity)
        bare = text.strip()
        if bare and " " not in bare:
            return self.login_of(bare)  # the word as typed: "Soleil2026!" stays a password, never a login
        return None

    def _main(
        self, parse: Mapping[str, Any], context: DialogueContext, simple: str, intent: str
    ) -> tuple[tuple[cmd.Command, ...], bool]:
        """The rules in order: the first that reads the message decides (numbered as in the README)."""
        message = self._read(parse, context, simple, intent)
        steps: tuple[Callable[[_Message], _Step | None], ...] = (
            self._typed_address,
            self._person_asked,
            self._answer_to_proposal,  # 1
            self._value_asked,  # 2
            self._school_for_tenant,
            self._adml_step,  # 3
            self._correction,  # 4
            self._account_problem,  # 5
            self._said_in_words,
            self._nocas_again,
            self._about_the_ticket,
            self._several_questions,  # 6
            self._dont_know_after_topic,
            self._follow_up_step,  # 7
        )
        for step in steps:
            found = step(message)
            if found is not None:
                return found
        return self._last_resort(message)

    def _read(self, parse: Mapping[str, Any], context: DialogueContext, simple: str, intent: str) -> _Message:
        text = str(parse.get("text") or "")
        words = tuple(simple.split())
        asks = "?" in text or _any(self.lexicon.question, simple)
        opening_yes = (
            bool(self.lexicon.yes) and bool(self.lexicon.yes[0].search(simple)) and not asks and len(words) <= 6
        )
        return _Message(
            parse=parse,
            context=context,
            text=text,
            simple=simple,
            intent=intent,
            confidence=float((parse.get("intent") or {}).get("confidence") or 0.0),
            confident=self.is_confident(parse),
            login=self._login_in(parse, text) or _listed_by_first_name(context, words),
            words=words,
            asks=asks,
            yes=opening_yes or _any(self.lexicon.yes[1:], simple),
            no=_any(self.lexicon.no, simple),
        )

    # -- the rules, in order -------------------------------------------------------------------------
    def _typed_address(self, m: _Message) -> _Step | None:
        """An address typed in the chat is never a yes: nothing is sent to a typed address."""
        if _entity(m.parse, "email") and m.context.pending_proposal:
            return _only(cmd.StartTopic("inform"))
        return None

    def _person_asked(self, m: _Message) -> _Step | None:
        """A person asked for in so many words: handed over, whatever else the message says ("non mais un humain")."""
        if m.says(self.lexicon.human) and not m.says(self.lexicon.no_human):
            return _only(cmd.HandOver())
        return None

    def _answer_to_proposal(self, m: _Message) -> _Step | None:
        other_account = m.login is not None and m.context.known_login is not None and m.login != m.context.known_login
        if m.context.pending_proposal and not other_account:  # "ah non c'est x.y2": a correction, read below
            go_ahead = m.says(self.lexicon.yes[1:])
            if m.no and not (m.yes and m.intent == "affirm" and go_ahead):
                return self._and_the_question(cmd.DenyProposal(), m)
            if not go_ahead and m.says(self.lexicon.goodbye):
                return _only(cmd.StartTopic("goodbye"))  # "ok merci bonne soirée": a farewell, nothing is done
            if not m.context.proposal_is_latest and not go_ahead and m.says(self.lexicon.thanks):
                # "ok merci" after another answer came since the proposal: thanks for that answer, not a yes
                return _only(cmd.StartTopic("thanks"))
            said_yes = m.yes or (m.intent == "affirm" and m.confident and not m.asks) or m.says(self.lexicon.yes_but)
            if said_yes and m.login in (None, m.context.known_login):
                return self._and_the_question(cmd.ConfirmProposal(), m)
        if m.intent == "escalate_human" and m.confidence >= STRONG:  # the classifier alone must be sure: a ticket
            return _only(cmd.HandOver())  # opened by mistake ("et si qqn a le même nom que moi ?") is hard to take back
        return None

    def _and_the_question(self, answer: cmd.Command, m: _Message) -> _Step:
        """A yes or a no that also asks something ("oui envoyez, et c'est valable combien de temps ?"): the answer to
        the proposal, then the question (the topic its words name, else the classifier's reading of it)."""
        if not m.asks:
            return _only(answer)
        second = self._second_intent(m.parse, m.intent)
        question = self._leaning_on(
            m.context.topic or "", m.simple, near_only=True, diagnosis=m.context.diagnosis
        ) or self._topic_named(m.simple, None)
        question = question or next(
            (i for i in (m.intent, second) if i in self.answerable and i not in self.opens_form), None
        )
        return ((answer, cmd.FollowUp(question)) if question else (answer,)), False

    def _value_asked(self, m: _Message) -> _Step | None:
        requested = m.context.requested_slot
        if requested in ("username", "link_login"):
            return self._identifier_asked(m, requested)
        named = _entity(m.parse, "uai") or m.says(self.lexicon.school_named)  # "jsp le code, c'est le lycée …"
        if requested in ("school_ref", "profile") and m.says(self.lexicon.dont_know) and not named:
            return _only(cmd.DontKnow(requested))
        if requested:  # a code, a school: the form takes the text unless a new request interrupts it
            return _only(cmd.StartTopic(m.intent if m.is_new_request else "inform"))
        return None

    def _identifier_asked(self, m: _Message, requested: str) -> _Step:
        if m.login:
            return _only(cmd.FillSlot(requested, m.login))
        if m.says(self.lexicon.dont_know):
            return _only(cmd.DontKnow(requested))
        leans = m.asks and m.says(self.lexicon.followup_cues)
        if leans and m.confidence < STRONG:
            return _only(cmd.StartTopic("inform"))  # "et si c'est passé ?": the question again, with what it said
        if m.is_new_request or (m.intent in SMALL_TALK and m.confident and len(m.words) <= 6):
            return _only(cmd.StartTopic(m.intent))
        if m.no and len(m.words) <= 4:
            return _only(cmd.StartTopic("cancel"))
        if _entity(m.parse, "profile") in PROFILES_WITHOUT_SCHOOL:
            # "je suis prestataire du lycée" where the identifier is asked: no ENT account to check; whether a
            # CESAME local account is open to them is the question
            return _only(cmd.StartTopic("nocas_eligibility"))
        if leans:
            return _only(cmd.StartTopic("inform"))
        # not an identifier nor a request: never kept, it may be a password or a passphrase
        return (cmd.RejectValue(requested, hide_text=True),), True

    def _school_for_tenant(self, m: _Message) -> _Step | None:
        """The assistant asked which ENT: a school's name is an answer, unless a new question comes instead."""
        if (
            m.context.asking_tenant
            and not _entity(m.parse, "tenant")
            and not (m.confident and (m.intent in self.answerable or m.intent in PROBLEM_WITH_ACCOUNT))
            and not m.says(self.lexicon.dont_know)
            and m.intent not in SMALL_TALK
            and not (m.asks and m.says(self.lexicon.followup_cues))  # "et si … ?" leans on the answer, names no school
        ):
            return _only(cmd.StartTopic("inform"))
        return None

    def _adml_step(self, m: _Message) -> _Step | None:
        """An ADML typing an operation in words (or "et pour x.y ?", "pardon c'est x.y2" right after one), or asking
        for the school's accounts not activated yet ("quels élèves n'ont pas activé leur compte ?")."""
        listing: tuple[cmd.Command, ...] = ()
        if m.context.speaker_is_adml and m.says(self.lexicon.admin_list):
            listing = (cmd.StartTopic("list_unactivated"),)  # "… la liste des élèves pas activés ? et débloque x.y"
        operation = self._adml_operation(m.context, m.simple, m.intent, m.login)
        if not operation:
            return (listing, False) if listing else None
        # "débloque x.y stp. au fait le mdp c'est 8 caractères minimum ?": the operation, then the question
        questions = tuple(cmd.FollowUp(q) for q in self._questions_named(m, None) if q != operation)
        named: tuple[cmd.Command, ...] = ()
        if m.login and _entity(m.parse, "username") != m.login:  # named by first name from the ADML's list
            named = (cmd.FillSlot("username", m.login),)
        return (*listing, *named, cmd.StartTopic(operation), *questions), False

    def _correction(self, m: _Message) -> _Step | None:
        """A corrected identifier, after a diagnosis of another one."""
        known = m.context.known_login
        corrects = m.says(self.lexicon.correction)
        if m.login and known and m.login != known and (corrects or m.intent in ("inform", "deny") or len(m.words) <= 3):
            return _only(cmd.CorrectSlot("username", m.login))
        if known and not m.login and corrects and m.intent in ("inform", "deny"):
            return _only(cmd.StartTopic(m.context.topic or "cannot_login"))
        return None

    def _account_problem(self, m: _Message) -> _Step | None:
        """A problem stated with the identifier: look the account up (a reset asked in so many words is a request)."""
        if not m.login:
            return None
        if m.intent == "request_reset" and m.says(self.lexicon.admin_reset):
            return _only(cmd.StartTopic("request_reset"))
        # "pourquoi mon adresse c'est x.y2@netocentre.fr et pas x.y ?": a question about addresses, not an account check
        plain_question = m.intent in self.answerable and bool(_entity(m.parse, "email")) and m.confident
        stated_problem = m.says(self.lexicon.login_problem)
        if m.intent == "nocas_eligibility" and stated_problem and not m.context.active_form:
            return _only(cmd.Diagnose("cannot_login", m.login))  # "sur cesame mon identifiant x.y ne passe pas"
        if m.context.active_form or m.intent in NOT_ABOUT_THE_ACCOUNT or plain_question:
            return None
        if m.intent == "link_account" and m.says(self.lexicon.linking):
            return _only(cmd.StartTopic(m.intent))
        second = self._second_intent(m.parse, m.intent)
        if second in DIAGNOSIS_PROBLEMS and m.intent not in DIAGNOSIS_PROBLEMS:
            problem: str | None = second
        elif m.intent in DIAGNOSIS_PROBLEMS:
            problem = m.intent
        else:
            problem = "cannot_login" if stated_problem else None
        questions = self._questions_named(m, second) if problem else ()
        if problem and questions:
            # "c f1abc, je suis bloqué, et le mdp c'est combien de caractères ?": both, the questions first when
            # their answer is the same for every ENT (the account's ENT is known after the look-up)
            look_up: tuple[cmd.Command, ...] = (cmd.Diagnose(problem, m.login),)
            answers = tuple(cmd.FollowUp(q) for q in questions)
            if all(q in self.answerable_anywhere for q in questions):
                return answers + look_up, False
            return look_up + answers, False
        return _only(cmd.Diagnose(_problem_of(m.intent, m.context.topic), m.login))

    def _questions_named(self, m: _Message, second: str | None) -> tuple[str, ...]:
        """The questions a message about a problem also asks: its own reading, or a topic it names in so many words."""
        found: list[str] = []
        reads_as_question = m.intent in self.answerable and m.intent not in DIAGNOSIS_PROBLEMS
        if reads_as_question and (second in DIAGNOSIS_PROBLEMS or m.says(self.lexicon.followups.get(m.intent, ()))):
            found.append(m.intent)
        for topic in NAMED_QUESTIONS:
            if topic not in found and topic in self.answerable and m.says(self.lexicon.followups.get(topic, ())):
                found.append(topic)
        return tuple(found)

    def _said_in_words(self, m: _Message) -> _Step | None:
        """What a message says in so many words, without an identifier."""
        if not m.login and m.intent in DIAGNOSIS_PROBLEMS and m.says(self.lexicon.unknown_identifier):
            return _only(cmd.DontKnow("username"))  # "c koi mon identifiant ?" beside a problem: where to find it
        link_lifetime = m.says(self.lexicon.followups.get("validation_link", ()))
        if not m.login and link_lifetime and m.intent in DIAGNOSIS_PROBLEMS and m.says(self.lexicon.login_problem):
            # "pk je suis bloquée ?? et le lien de validation il dure combien de temps ?": the problem looked into
            # (the chat's own account first), the question answered beside it (before asking for an identifier)
            look_into, answer = cmd.StartTopic("cannot_login"), cmd.FollowUp("validation_link")
            return ((look_into, answer) if m.context.own_login else (answer, look_into)), False
        if not m.login and m.intent not in DIAGNOSIS_PROBLEMS and link_lifetime:
            # "le lien il dure combien de temps ?", perhaps beside a question that names its own topic
            rest = m.simple
            for pattern in self.lexicon.followups.get("validation_link", ()):
                rest = pattern.sub(" ", rest)
            beside = [
                i
                for i in (m.intent, self._second_intent(m.parse, m.intent))
                if i in self.answerable
                and i != "validation_link"
                and _any(self.lexicon.followups.get(i or "", ()), rest)
            ]
            return _only(
                cmd.AnswerSeveral((beside[0], "validation_link")) if beside else cmd.FollowUp("validation_link")
            )
        leans = bool(m.context.topic) and m.says(self.lexicon.followups.get(m.context.topic or "", ()))
        if m.intent == "link_account" and not m.says(self.lexicon.linking) and not leans:
            return _only(
                cmd.StartTopic("cannot_login")
            )  # a verification is only started when asked for in so many words
        return None

    def _nocas_again(self, m: _Message) -> _Step | None:
        """The CESAME local-account question asked again for another profile or school ("et ma collègue … ?")."""
        asked_before = m.context.topic == "nocas_eligibility" or (
            "nocas_eligibility" in m.context.handled and m.says(self.lexicon.followup_cues)
        )
        if (
            asked_before
            and (_entity(m.parse, "profile") or _entity(m.parse, "uai") or m.says(self.lexicon.school_named))
            and not (m.confident and m.intent in self.answerable and m.intent != "nocas_eligibility")
        ):
            return _only(cmd.StartTopic("nocas_eligibility"))
        return None

    def _about_the_ticket(self, m: _Message) -> _Step | None:
        """A question about the ticket just opened ("vous me recontactez comment ?"): where it stands."""
        sure_of_another = m.confident and m.confidence >= STRONG and m.intent not in ("ticket_status", "inform")
        names_another = m.says(self.lexicon.not_the_ticket)  # "et ce nouveau lien il marche combien de temps ?"
        if m.context.ticket_open and m.says(self.lexicon.ticket_followup) and not (sure_of_another or names_another):
            return _only(cmd.StartTopic("ticket_status"))
        return None

    def _several_questions(self, m: _Message) -> _Step | None:
        second = self._second_intent(m.parse, m.intent)
        if not second or not m.confident or not (m.intent in self.answerable or m.intent in PROBLEM_WITH_ACCOUNT):
            return None
        asked_both = "?" in m.text  # two questions asked: both answered, even one that asks something back
        if m.intent in DIAGNOSIS_PROBLEMS and not asked_both:
            return None  # "j'ai activé mon compte mais je n'ai pas reçu le mail": the context of one problem
        stated = second != "cannot_login" or m.says(self.lexicon.login_problem)  # "je suis connectée mais …"
        if (second in self.answerable and second not in self.opens_form) or (
            asked_both and second in PROBLEM_WITH_ACCOUNT and stated
        ):
            return _only(cmd.AnswerSeveral((m.intent, second)))
        return None

    def _dont_know_after_topic(self, m: _Message) -> _Step | None:
        """ "jsp" right after an answer on activation: the identifier is what people do not know."""
        if len(m.words) <= 5 and m.says(self.lexicon.dont_know) and m.context.topic in IDENTIFIER_TOPICS:
            return _only(cmd.DontKnow("username"))
        return None

    def _follow_up_step(self, m: _Message) -> _Step | None:
        if m.context.topic and not m.context.active_form:
            follow = self._follow_up(m.parse, m.context, m.simple, m.confident, m.intent, m.asks)
            if follow is not None:
                return _only(follow)
        return None

    def _last_resort(self, m: _Message) -> _Step:
        if m.intent in ("affirm", "deny") and m.context.pending_proposal:
            # read as yes/no by the classifier alone ("ok donc ?"): never a confirmation; the proposal again
            return _only(cmd.FollowUp(m.context.topic) if m.context.topic else cmd.Clarify())
        if not m.confident:
            if m.says(self.lexicon.login_problem) and m.intent not in self.answerable:
                return _only(cmd.StartTopic("cannot_login"))  # "pourquoi je suis bloquée ?": find out why
            return _only(cmd.Clarify())
        return _only(cmd.StartTopic(m.intent))

    def _adml_operation(self, context: DialogueContext, simple: str, intent: str, login: str | None) -> str | None:
        """The operation an ADML asks for in words: on the account named, or ("débloquez-le") the one in question."""
        if not context.speaker_is_adml:
            return None
        if login is None:
            about = context.known_login
            if about and about != context.own_login and _any(self.lexicon.admin_unlock, simple):
                return "unlock_account"
            return None
        if login == context.own_login:
            return None
        # "pardon c'est x.y2", "et x.y alors, lui il est bien chez nous": the same operation for another account,
        # unless a problem of that account is told ("et x.y il est bloqué depuis hier": look it up)
        continues = (
            len(simple.split()) <= 6
            or _any(self.lexicon.correction, simple)
            or not _any(self.lexicon.login_problem, simple)
        )
        if _any(self.lexicon.admin_unlock, simple):
            return "unlock_account"
        if _any(self.lexicon.admin_reset, simple) or intent == "request_reset":
            return "request_reset"
        if context.topic in ("unlock_account", "request_reset") and continues:
            return context.topic
        return None

    def _follow_up(
        self,
        parse: Mapping[str, Any],
        context: DialogueContext,
        simple: str,
        confident: bool,
        intent: str,
        asks: bool = False,
    ) -> cmd.Command | None:
        """A question about the topic in progress, when the message leans on it.

        A follow-up cue ("et …", "ce menu", "je clique où") makes the topic win over an unsure or off-topic
        reading; a short unsure message goes to the topic named by the lexicon's follow-up patterns, or to
        the topic in progress when the classifier ranks it among its first three.
        """
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        topic = context.topic or ""
        near = self._leaning_on(topic, simple, diagnosis=context.diagnosis, handled=context.handled)
        ranked = [r["name"] for r in (parse.get("intent_ranking") or [])[:3]]
        if (
            near != topic  # the topic in progress, its own words said, stands
            and near in ranked[1:]
            and intent == ranked[0]
            and confidence >= AGREED
            and intent in self.answerable
            and self._topic_named(simple, None) == intent
        ):
            # the classifier weighed a topic near the answer and prefers another that the words name too ("et
            # après la première connexion je peux aller sur cesame direct ?"): that other topic
            return cmd.FollowUp(intent)
        # "merci bcp, j'ai cmb de tps pour cliquer dessus": thanks that also ask lean like an unsure message
        unsure = confidence < STRONG or intent in ("out_of_scope", "inform") or (intent in SMALL_TALK and asks)
        if unsure and near:
            return cmd.FollowUp(near)
        cue = _any(self.lexicon.followup_cues, simple)
        strong = confident and intent in self.answerable and intent != topic and confidence >= STRONG
        if not cue and (strong or (confident and intent not in ("affirm", "deny", "inform", "out_of_scope"))):
            return None
        words = simple.split()
        if _entity(parse, "tenant") and (len(words) <= 8 or _any(self.lexicon.same_again, simple)):
            # "et sur netocentre ?": the same question for the other ENT (after a diagnosis, its steps there)
            return cmd.FollowUp(STEPS_OF_DIAGNOSIS.get(context.diagnosis or "", topic))
        named = self._topic_named(simple, intent if confident and confidence >= STRONG else None)
        if named or strong:
            return cmd.FollowUp(named) if named else None
        if topic and topic in ranked and (cue or len(words) <= 8):
            return cmd.FollowUp(topic)
        if cue and len(words) <= 12:
            return cmd.FollowUp(topic)  # "et on peut y aller depuis l'ent ?": it leans on the answer
        return None

    def _leaning_on(
        self,
        topic: str,
        simple: str,
        near_only: bool = False,
        diagnosis: str | None = None,
        handled: tuple[str, ...] = (),
    ) -> str | None:
        """The topic an unsure message leans on: the one in progress, one near it or near the account's state,
        (where to click) itself, or a topic answered earlier whose follow-up patterns the message matches."""
        if not near_only and _any(self.lexicon.followups.get(topic, ()), simple):
            return topic  # "ya pas un lien direct ?" after CESAME: about CESAME
        nears = self.lexicon.followup_near.get(topic, ()) + self.lexicon.followup_near.get(diagnosis or "", ())
        for near in nears:
            if _any(self.lexicon.near_followups.get(near, ()) + self.lexicon.followups.get(near, ()), simple):
                return near  # "c'est combien de temps déjà ?" after a link problem: the link
        if topic and not near_only and _any(self.lexicon.followup_where, simple):
            return topic  # "je clique où ?" after a reset: its own button
        for earlier in reversed(handled):  # "faut le taper combien de fois le gmail ?" after two answers
            if earlier != topic and _any(self.lexicon.followups.get(earlier, ()), simple):
                return earlier
        return None

    def _topic_named(self, simple: str, sure_intent: str | None) -> str | None:
        """The first topic whose follow-up patterns the message matches; a sure reading of an answerable question
        (`sure_intent`) is only overridden by the patterns of the topic it names."""
        sure = sure_intent if sure_intent in self.answerable else None
        for topic, patterns in self.lexicon.followups.items():
            if _any(patterns, simple) and (sure is None or topic == sure):
                return topic
        return None


def third_person(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """A reply about the user's own account, reworded for someone writing about another person's."""
    for before, after in pairs:
        text = text.replace(before, after)
    return text
