"""What a message asks the dialogue engine to do: the commands the understanding step says, in the spirit of
Rasa's dialogue understanding. The engine runs each one (`bot/dialogue/engine.py`); they carry no behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ConfirmProposal:
    """A yes (often a whole sentence) to the proposal awaiting an answer."""


@dataclass(frozen=True, slots=True)
class DenyProposal:
    """A no to the proposal awaiting an answer."""


@dataclass(frozen=True, slots=True)
class FillSlot:
    """The value asked for."""

    slot: str
    value: Any


@dataclass(frozen=True, slots=True)
class CorrectSlot(FillSlot):
    """A value that replaces one given before ("non pardon c'est paul.martin2"): the account is looked up again."""


@dataclass(frozen=True, slots=True)
class DontKnow:
    """ "I don't know it" instead of the value asked for ("jsp", "je l'ai perdu", "c quoi ?")."""

    slot: str


@dataclass(frozen=True, slots=True)
class RejectValue:
    """Not the value asked for. `hide_text`: the text may be a secret (a bare word where an identifier was
    asked), so it is never stored."""

    slot: str
    hide_text: bool


@dataclass(frozen=True, slots=True)
class Diagnose:
    """A problem stated with the identifier, or a misread problem: the account is looked up."""

    problem: str
    login: str


@dataclass(frozen=True, slots=True)
class StartTopic:
    """A new request, handled by its rule."""

    intent: str


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A question about the topic in progress ("c'est rétabli quand ?", "et à la toussaint ?")."""

    intent: str


@dataclass(frozen=True, slots=True)
class AnswerSeveral:
    """Several questions in one message, answered in order."""

    intents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HandOver:
    """The user asks for a human."""


@dataclass(frozen=True, slots=True)
class SpeakFor:
    """The user writes for someone else, noted before the rest; `role` is "parent" or "teacher"."""

    role: str


@dataclass(frozen=True, slots=True)
class Clarify:
    """Unsure: the likeliest topics are offered."""


@dataclass(frozen=True, slots=True)
class NoteTenant:
    """The message says which ENT it is about without naming it ("les CGU", "cesame")."""

    tenant: str


Command = (
    ConfirmProposal
    | DenyProposal
    | FillSlot
    | CorrectSlot
    | DontKnow
    | RejectValue
    | Diagnose
    | StartTopic
    | FollowUp
    | AnswerSeveral
    | HandOver
    | SpeakFor
    | Clarify
    | NoteTenant
)
