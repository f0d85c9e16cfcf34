"""The messages to teach the assistant from, and the intents agents gave them.

Two kinds of message wait for a label, both already stored redacted by the conversation store:
- *misunderstood*: a row of `nlu_misses`, written when the assistant asked « Vouliez-vous dire… » (below the
  confidence it answers at);
- *unsure*: a user's line of `messages` answered although the classifier's confidence was under `below`
  (`assistant.nlu.review_below`), button payloads (`/intent`) and hidden lines excepted; a line that is the very
  message of a miss (same text, within a minute) is that miss, listed once.
A label keeps the message anonymised (`NluLabel.text`), and the first label of a message stands; labels go
with the transcripts' retention purge (`ConversationStore.purge`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import Message, NluLabel, NluMiss

MISS = "miss"
MESSAGE = "message"
SAME_MESSAGE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ReviewItem:
    """A message waiting for a label: `key` is `miss:<id>` or `message:<id>`; `suggested` the classifier's top
    intent and `confidence` its confidence when the message came."""

    key: str
    text: str
    suggested: str | None
    confidence: float | None
    at: dt.datetime

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]


def parse_key(key: str) -> tuple[str, int] | None:
    source, colon, number = key.partition(":")
    if not colon or source not in (MISS, MESSAGE) or not number.isdigit() or len(number) > 18:
        return None
    return source, int(number)


def not_misses(unsure: Sequence[ReviewItem], misses: Sequence[ReviewItem]) -> list[ReviewItem]:
    """The unsure lines that are not a miss's own message (the same text, within `SAME_MESSAGE`)."""
    seen: dict[str, list[dt.datetime]] = {}
    for miss in misses:
        seen.setdefault(miss.text, []).append(miss.at)
    return [line for line in unsure if not any(abs(line.at - at) <= SAME_MESSAGE for at in seen.get(line.text, []))]


class NluLabelStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def unlabelled(self, below: float, hidden: Collection[str], limit: int) -> list[ReviewItem]:
        """The newest `limit` misses and `limit` unsure lines nobody labelled yet (see the module), newest first."""
        with self._sessions() as session:
            misses = session.execute(
                select(NluMiss.id, NluMiss.text, NluMiss.ranking, NluMiss.created_at)
                .outerjoin(NluLabel, (NluLabel.source == MISS) & (NluLabel.source_id == NluMiss.id))
                .where(NluLabel.id.is_(None))
                .order_by(NluMiss.created_at.desc(), NluMiss.id.desc())
                .limit(limit)
            ).all()
            unsure = session.execute(
                select(Message.id, Message.text, Message.intent, Message.confidence, Message.created_at)
                .outerjoin(NluLabel, (NluLabel.source == MESSAGE) & (NluLabel.source_id == Message.id))
                .where(
                    NluLabel.id.is_(None),
                    Message.direction == "in",
                    Message.confidence.is_not(None),
                    Message.confidence < below,
                    ~Message.text.startswith("/"),
                    Message.text.not_in(list(hidden) or [""]),
                )
                .order_by(Message.created_at.desc(), Message.id.desc())
                .limit(limit)
            ).all()
            lines = [
                ReviewItem(f"{MESSAGE}:{number}", text, intent, confidence, at)
                for number, text, intent, confidence, at in unsure
                if text.strip()
            ]
            own = self._misses_of(session, lines)  # labelled or not: a line that was a miss is that miss
        waiting = [
            ReviewItem(f"{MISS}:{number}", text, *_top(ranking), at)
            for number, text, ranking, at in misses
            if text.strip() and text not in hidden
        ]
        return sorted([*waiting, *not_misses(lines, own)], key=lambda item: item.at, reverse=True)

    def _misses_of(self, session: Session, lines: Sequence[ReviewItem]) -> list[ReviewItem]:
        """The misses recorded with these lines' texts about when they came."""
        if not lines:
            return []
        texts = sorted({line.text for line in lines})
        earliest = min(line.at for line in lines) - SAME_MESSAGE
        latest = max(line.at for line in lines) + SAME_MESSAGE
        found: list[ReviewItem] = []
        for start in range(0, len(texts), 500):
            rows = session.execute(
                select(NluMiss.id, NluMiss.text, NluMiss.created_at).where(
                    NluMiss.text.in_(texts[start : start + 500]), NluMiss.created_at.between(earliest, latest)
                )
            ).all()
            found += [ReviewItem(f"{MISS}:{number}", text, None, None, at) for number, text, at in rows]
        return found

    def label(
        self, keys: Iterable[str], intent: str, agent: str, now: dt.datetime, anonymise: Callable[[str], str]
    ) -> int:
        """Give `intent` to the messages of `keys` nobody labelled yet; how many got it. Unknown keys are skipped."""
        wanted = {parsed for parsed in (parse_key(key) for key in keys) if parsed is not None}
        for _ in range(3):  # another agent labelling some of them at the same moment: theirs stand, retry the rest
            try:
                with self._sessions.begin() as session:
                    rows = [
                        NluLabel(
                            source=source,
                            source_id=number,
                            text=anonymise(text),
                            intent=intent,
                            agent=agent,
                            labelled_at=now,
                        )
                        for source, number, text in self._unlabelled_texts(session, wanted)
                    ]
                    session.add_all(rows)
                return len(rows)
            except IntegrityError:
                continue
        return 0

    def _unlabelled_texts(self, session: Session, wanted: set[tuple[str, int]]) -> list[tuple[str, int, str]]:
        found: list[tuple[str, int, str]] = []
        for source, model in ((MISS, NluMiss), (MESSAGE, Message)):
            numbers = sorted(number for kind, number in wanted if kind == source)
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                labelled = set(
                    session.scalars(
                        select(NluLabel.source_id).where(NluLabel.source == source, NluLabel.source_id.in_(chunk))
                    )
                )
                where = [model.id.in_(chunk)] + ([Message.direction == "in"] if model is Message else [])
                rows = session.execute(select(model.id, model.text).where(*where)).all()
                found += [(source, number, text) for number, text in rows if number not in labelled]
        return found

    def labelled(self) -> list[tuple[str, str]]:
        """Every label as (anonymised text, intent), oldest first."""
        with self._sessions() as session:
            return [
                (text, intent)
                for text, intent in session.execute(
                    select(NluLabel.text, NluLabel.intent).order_by(NluLabel.labelled_at, NluLabel.id)
                )
            ]


def _top(ranking: object) -> tuple[str | None, float | None]:
    """The first intent of a stored ranking, and its confidence."""
    if isinstance(ranking, list) and ranking and isinstance(ranking[0], dict):
        name, confidence = ranking[0].get("name"), ranking[0].get("confidence")
        return (
            name if isinstance(name, str) else None,
            float(confidence) if isinstance(confidence, int | float) else None,
        )
    return None, None
