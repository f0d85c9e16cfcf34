"""Teaching the assistant from its misses: what the desk lists, and an agent's label.

The messages the assistant misunderstood or answered unsure (`bot.storage.nlu_labels`) are grouped by similarity
(`bot.nlu.similarity`), so that an agent gives a kind of message its intent in one click. The intents offered are
those the classifier is trained on (knowledge/nlu.yml and the accepted review files) that the domain declares;
« hors sujet » is the domain's `out_of_scope`. A label is audited (`label_misses`) and keeps the message
anonymised (`bot.core.anonymise`); `python -m bot export-training` turns the labels into a review file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.core.anonymise import anonymise
from bot.core.authz import Actor, Permission, authorise
from bot.core.identifiers import as_login
from bot.dialogue.domain import load_domain
from bot.knowledge_files import Knowledge
from bot.nlu.normalise import normalise
from bot.nlu.similarity import Frequencies, document_frequencies, group_texts
from bot.nlu.training_data import TrainingData, load_training_files
from bot.services.container import Services
from bot.storage.audit import Outcome
from bot.storage.nlu_labels import NluLabelStore, ReviewItem
from bot.texts import text as message

OUT_OF_SCOPE = "out_of_scope"
"""The domain's intent for what the assistant is not for: what « hors sujet » means."""
LISTED = 1000  # the newest misses, and as many unsure lines, grouped at most
EXAMPLES = 5  # distinct texts shown per group
GROUPS = 100  # groups shown, the largest first


class TeachingRefused(Exception):
    """Not an agent, or not an intent that may be taught."""


@dataclass(frozen=True)
class MissGroup:
    keys: tuple[str, ...]
    examples: tuple[str, ...]  # the leader first, then the other texts, each once
    suggested: str | None  # the classifier's most frequent top intent among them
    misunderstood: int  # how many were misses (the others were answered unsure)

    @property
    def count(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class ReviewPage:
    groups: list[MissGroup]
    messages: int  # waiting for a label (of the newest listed)
    all_groups: int


def make_groups(items: Sequence[ReviewItem], reference: Frequencies | None = None) -> list[MissGroup]:
    """The items in groups of similar texts (largest first), as the desk shows them; `reference`: the training
    examples' n-gram frequencies (`bot.nlu.similarity`)."""
    groups = []
    for group in group_texts([item.text for item in items], reference=reference):
        members = [items[index] for index in group.members]
        examples = list(dict.fromkeys(item.text for item in members))[:EXAMPLES]
        suggestions = Counter(item.suggested for item in members if item.suggested)
        groups.append(
            MissGroup(
                keys=tuple(item.key for item in members),
                examples=tuple(examples),
                suggested=suggestions.most_common(1)[0][0] if suggestions else None,
                misunderstood=sum(item.kind == "miss" for item in members),
            )
        )
    return groups


class Teaching:
    def __init__(self, services: Services, knowledge: Knowledge) -> None:
        self.s = services
        self.knowledge = knowledge
        self.store = NluLabelStore(services.sessions)

    @cached_property
    def _training(self) -> TrainingData:
        return load_training_files(self.knowledge.training_files())  # read once, at the first use

    @cached_property
    def intents(self) -> list[str]:
        """The intents a message may be taught: trained on and declared."""
        declared = set(load_domain(self.knowledge.domain).intents)
        return [intent for intent in self._training.intents if intent in declared]

    @cached_property
    def _frequencies(self) -> Frequencies:
        return document_frequencies(normalise(example.text) for example in self._training.examples)

    def anonymise(self, text: str) -> str:
        patterns = self.s.config.login_patterns()
        return anonymise(text, lambda word: as_login(word, patterns) is not None)

    def page(self) -> ReviewPage:
        hidden = {
            message("transcript_hidden_text"),
            message("transcript_hidden_code"),
            message("transcript_hidden_secret"),
        }
        items = self.store.unlabelled(self.s.config.assistant.nlu.review_below, hidden, LISTED)
        groups = make_groups(items, self._frequencies)
        return ReviewPage(groups[:GROUPS], len(items), len(groups))

    def label(self, agent: Actor, keys: Sequence[str], intent: str, channel: str = "web") -> int:
        """Give `intent` to the messages of `keys` nobody labelled yet; how many got it."""
        if not authorise(agent, Permission.WORK_TICKETS, None).allowed:
            self.s.record(agent, channel, "label_misses", None, Outcome.REFUSED, "not an agent")
            raise TeachingRefused("only agents may teach the assistant")
        if intent not in self.intents:
            raise TeachingRefused(f"unknown intent {intent!r}")
        done = self.store.label(keys, intent, agent.sender_id, self.s.now(), self.anonymise)
        self.s.record(agent, channel, "label_misses", None, Outcome.DONE, f"{intent}: {done}")
        return done
