"""Helpers shared by the actions: who is talking, which ENT, how to word a refusal, the common buttons."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from bot.core.accounts import Account, Establishment
from bot.core.authz import Actor
from bot.core.identifiers import as_login
from bot.core.schools import is_clear_match, school_matches, school_phrase
from bot.messages import channel_of as sender_channel
from bot.nlu.multi import PROBLEM_INTENTS
from bot.texts import text

Events = list[dict[str, Any]]


class Named:
    """Mixin of the project's actions, plain and form validations alike: an action is named by its `NAME`.

    Not an `Action` itself, so the executor never registers it; put it first among the bases so that its
    `name` is the one used.
    """

    NAME: ClassVar[str]

    def name(self) -> str:
        return self.NAME


class NamedAction(Named, Action, abc.ABC):
    """A custom action named by its `NAME`; `act` says what it says and returns its events.

    rasa-sdk calls `run` (in process through `ActionExecutor.run()`, or in the action server); the services
    are synchronous, so `act` is too. Abstract, so the executor does not register this class itself.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        return self.act(dispatcher, tracker)

    @abc.abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events: ...


# the intents a button may offer, titled by `intent_label_<intent>` in knowledge/messages.yml: the problems a
# message may raise, and the two ways on (a person, verifying the account)
LABELLED_INTENTS = PROBLEM_INTENTS | {"escalate_human", "link_account"}


def intent_label(intent: str) -> str:
    """The title of a button that starts `intent` (`Parler à un conseiller` for `escalate_human`)."""
    return text(f"intent_label_{intent}")


def intent_button(intent: str, title: str | None = None) -> dict[str, str]:
    return {"title": title or intent_label(intent), "payload": f"/{intent}"}


def human_button() -> dict[str, str]:
    """The one "Parler à un conseiller" button."""
    return intent_button("escalate_human")


REFUSAL_REASONS = frozenset(
    {
        "not_linked",
        "not_your_account",
        "not_adml",
        "other_school",
        "no_address_on_file",
        "already_validated",
        "account_disabled",
        "not_provisional",
        "unknown_account",
        "agents_only",
        "no_school",
        "not_locked",
        "already_pending",
        "no_adml_reachable",
        "directory_down",
        "own_account",
        "adml_account",
        "own_request",
    }
)


def refuse(dispatcher: CollectingDispatcher, reason: str | None, buttons: list[dict[str, str]] | None = None) -> None:
    """Say that this cannot be done, and why (`refusal_<reason>` in knowledge/messages.yml)."""
    known = reason if reason in REFUSAL_REASONS else "not_allowed"
    dispatcher.utter_message(response="utter_refused", reason_text=text(f"refusal_{known}"), buttons=buttons or [])


def channel_of(tracker: Tracker) -> str:
    return sender_channel(tracker.sender_id)


def entity(tracker: Tracker, name: str) -> Any:
    """The value of the first entity `name` of the latest message, or None."""
    return next((e["value"] for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name), None)


def set_this_turn(tracker: Tracker, name: str) -> Any:
    """The value the slot `name` was given since the latest user message (the understanding step named it: "et
    maxime ?" after an ADML's list), or None."""
    value = None
    for event in tracker.events:
        if event.get("event") == "user":
            value = None
        elif event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return value


def actor_of(tracker: Tracker) -> Actor:
    """Who writes: the chat, its link, and the client address the channel passed in the message's metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    address = metadata.get("client_address") if isinstance(metadata, dict) else None
    return context.services().actor(tracker.sender_id, address if isinstance(address, str) else None)


def login_patterns() -> tuple[str, ...]:
    """Every configured tenant's identifier formats (`tenants.*.login_patterns`), each once, in order."""
    return context.services().config.login_patterns()


def clean_login(value: Any, patterns: Iterable[str] | None = None) -> str | None:
    """The identifier `value` holds, in any tenant's format (`bot.core.identifiers.as_login`), or None."""
    return as_login(value, login_patterns() if patterns is None else patterns)


def known_tenant(tracker: Tracker, account: Account | None = None) -> str | None:
    """The user's ENT: the slot, else the account's school, else the school code, else a school the message names by
    name and town, else the linked account."""
    services = context.services()
    tenant = tracker.get_slot("tenant")
    if tenant in services.config.tenants:
        return str(tenant)
    found = services.tenant_of(account) if account is not None else None
    return (
        found
        or _tenant_of_school(tracker.get_slot("uai"))
        or _tenant_of_school_named(str(tracker.latest_message.get("text") or ""))
        or _tenant_of_linked(tracker.sender_id)
    )


def _tenant_of_school(uai: str | None) -> str | None:
    if not uai:
        return None
    services = context.services()
    establishment = services.directory.find_establishment(uai)
    return establishment.tenant if establishment else services.config.tenant_for_uai(uai)


def _tenant_of_linked(sender_id: str) -> str | None:
    services = context.services()
    linked = services.links.linked_login(sender_id)
    found = services.directory.find_account(linked) if linked else None
    return services.tenant_of(found) if found else None


def school_named_in(text: str) -> Establishment | None:
    """The one school a sentence names by name and town ("il est au lycée camille pissarro à pontoise"), if any."""
    phrase = school_phrase(text)
    if not phrase:
        return None
    matches = school_matches(phrase, context.services().directory.find_establishments(phrase))
    return matches[0].establishment if matches and is_clear_match(matches) else None


def _tenant_of_school_named(text: str) -> str | None:
    school = school_named_in(text)
    return school.tenant if school else None


def format_local(value: Any) -> str:
    """An aware datetime or a date as French people read it (`Services.format_local`)."""
    return context.services().format_local(value)
