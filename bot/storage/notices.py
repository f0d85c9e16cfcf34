"""What the notices keep (`bot.services.notices`): the chats that opted in, the notices sent under their unique
keys, the chats told 'not activated', and each school's weekly count of accounts still to activate.

A notice is sent at most once: `claim` writes its key in the caller's transaction, the one that also stores the
message for the chat, under a lock of the key's name (two runs at once, the lease changing hands, claim it once);
the key is unique in the table besides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.batches import delete_in_batches
from bot.storage.db import affected_rows
from bot.storage.locks import hold
from bot.storage.models import AccountLink, ActivationWatch, NoticeSent, NoticeSubscription, SchoolWeekCount


@dataclass(frozen=True)
class Watch:
    """A chat told 'not activated' about `login` at `told_at`."""

    id: int
    sender_id: str
    login: str
    told_at: dt.datetime


@dataclass(frozen=True)
class PurgeCutoffs:
    """Before when each kind of record is deleted; subscriptions go once their chat has had no link made since
    `links_before` that is not revoked."""

    sent_before: dt.datetime
    watches_before: dt.datetime
    counts_before: dt.datetime
    links_before: dt.datetime


class NoticeStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- subscriptions ----------------------------------------------------------------------------------
    def subscribe(self, sender_id: str, now: dt.datetime) -> bool:
        """Opt the chat in; False when it already was."""
        with self._sessions.begin() as session:
            if session.get(NoticeSubscription, sender_id) is not None:
                return False
            session.add(NoticeSubscription(sender_id=sender_id, subscribed_at=now))
            return True

    def unsubscribe(self, sender_id: str) -> bool:
        """Opt the chat out; False when it was not in."""
        with self._sessions.begin() as session:
            result = session.execute(delete(NoticeSubscription).where(NoticeSubscription.sender_id == sender_id))
            return affected_rows(result) > 0

    def is_subscribed(self, sender_id: str, session: Session | None = None) -> bool:
        if session is not None:
            return session.get(NoticeSubscription, sender_id) is not None
        with self._sessions() as reading:
            return reading.get(NoticeSubscription, sender_id) is not None

    def subscribers(self) -> list[str]:
        """The chats that opted in, the earliest first."""
        with self._sessions() as session:
            query = select(NoticeSubscription.sender_id).order_by(
                NoticeSubscription.subscribed_at, NoticeSubscription.sender_id
            )
            return list(session.scalars(query))

    # -- notices sent -----------------------------------------------------------------------------------
    def claim(self, key: str, kind: str, sender_id: str, now: dt.datetime, session: Session) -> bool:
        """Record notice `key` as sent in `session`'s transaction; False when it already was (nothing written)."""
        hold(session, f"notice:{key}")
        if session.scalar(select(NoticeSent.id).where(NoticeSent.key == key)) is not None:
            return False
        session.add(NoticeSent(key=key, kind=kind, sender_id=sender_id, sent_at=now))
        session.flush()
        return True

    def was_sent(self, key: str) -> bool:
        with self._sessions() as session:
            return session.scalar(select(NoticeSent.id).where(NoticeSent.key == key)) is not None

    def senders_sent(self, key_prefix: str) -> set[str]:
        """The chats that got a notice whose key starts with `key_prefix` (one query for a whole run's checks)."""
        with self._sessions() as session:
            query = select(NoticeSent.sender_id).where(NoticeSent.key.startswith(key_prefix, autoescape=True))
            return set(session.scalars(query))

    def mark(self, key: str, kind: str, now: dt.datetime) -> bool:
        """Record `key` (a job's pass over every chat done, no message of its own); False when it already was."""
        with self._sessions.begin() as session:
            return self.claim(key, kind, "scheduler", now, session)

    def sent_count(self, kind: str) -> int:
        """How many notices of `kind` were sent (kept since the last purge)."""
        with self._sessions() as session:
            return int(session.scalar(select(func.count()).select_from(NoticeSent).where(NoticeSent.kind == kind)) or 0)

    # -- activation watches ----------------------------------------------------------------------------
    def watch(self, sender_id: str, login: str, now: dt.datetime) -> None:
        """Note that the chat was told `login` is not activated (the first time counts for the reminder's delay)."""
        with self._sessions.begin() as session:
            hold(session, f"activation_watch:{sender_id}")
            found = session.scalar(
                select(ActivationWatch.id).where(ActivationWatch.sender_id == sender_id, ActivationWatch.login == login)
            )
            if found is None:
                session.add(ActivationWatch(sender_id=sender_id, login=login, told_at=now))

    def watches(self, told_before: dt.datetime) -> list[Watch]:
        """The watches noted before `told_before`, the oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(ActivationWatch.id, ActivationWatch.sender_id, ActivationWatch.login, ActivationWatch.told_at)
                .where(ActivationWatch.told_at < told_before)
                .order_by(ActivationWatch.told_at, ActivationWatch.id)
            ).all()
        return [Watch(*row) for row in rows]

    def drop_watch(self, watch_id: int, session: Session | None = None) -> None:
        """The watch is done with (reminded, or the account activated meanwhile)."""
        if session is not None:
            session.execute(delete(ActivationWatch).where(ActivationWatch.id == watch_id))
            return
        with self._sessions.begin() as writing:
            writing.execute(delete(ActivationWatch).where(ActivationWatch.id == watch_id))

    # -- schools' weekly counts ------------------------------------------------------------------------
    def week_count(self, uai: str, week: str, count: int, now: dt.datetime) -> int:
        """The school's count for `week`: the first one stored stands (every ADML of the school, and every run of
        the week, read the same figure); `count` is stored when there is none yet."""
        with self._sessions.begin() as session:
            hold(session, f"school_week_count:{uai}:{week}")
            stored = session.scalar(
                select(SchoolWeekCount.count).where(SchoolWeekCount.uai == uai, SchoolWeekCount.week == week)
            )
            if stored is not None:
                return int(stored)
            session.add(SchoolWeekCount(uai=uai, week=week, count=count, counted_at=now))
            return count

    def count_of(self, uai: str, week: str) -> int | None:
        with self._sessions() as session:
            stored = session.scalar(
                select(SchoolWeekCount.count).where(SchoolWeekCount.uai == uai, SchoolWeekCount.week == week)
            )
        return int(stored) if stored is not None else None

    def counts_of_week(self, week: str) -> list[tuple[str, int]]:
        """(UAI, count) of the schools counted for `week`, by UAI."""
        with self._sessions() as session:
            rows = session.execute(
                select(SchoolWeekCount.uai, SchoolWeekCount.count)
                .where(SchoolWeekCount.week == week)
                .order_by(SchoolWeekCount.uai)
            ).all()
        return [(str(uai), int(count)) for uai, count in rows]

    # -- retention -------------------------------------------------------------------------------------
    def purge(self, cutoffs: PurgeCutoffs) -> dict[str, int]:
        """Delete what is past its retention (see `PurgeCutoffs`); how many of each were deleted."""
        standing = exists().where(
            AccountLink.sender_id == NoticeSubscription.sender_id,
            AccountLink.revoked_at.is_(None),
            AccountLink.linked_at >= cutoffs.links_before,
        )
        return {
            "notice_subscriptions": delete_in_batches(self._sessions, NoticeSubscription, ~standing),
            "notices_sent": delete_in_batches(self._sessions, NoticeSent, NoticeSent.sent_at < cutoffs.sent_before),
            "activation_watches": delete_in_batches(
                self._sessions, ActivationWatch, ActivationWatch.told_at < cutoffs.watches_before
            ),
            "school_week_counts": delete_in_batches(
                self._sessions, SchoolWeekCount, SchoolWeekCount.counted_at < cutoffs.counts_before
            ),
        }
