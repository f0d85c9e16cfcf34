"""Warning people before they get stuck: messages sent outside a turn, to chats that opted in (`/abonner`).

- **Freeze announcements**: `notices.freeze_notice_days` before a tenant's freeze window (`tenants.*.freeze_windows`)
  starts, each opted-in chat linked to an account of that ENT is told its dates and what still works, in the ENT's
  words (`freeze_announcement_<tenant>` in knowledge/messages.yml). Once a day's pass over the chats is complete,
  that day's later runs stop at once (a chat that opts in meanwhile is told the next day).
- **The ADMLs' weekly digest** during the rentrée (`notices.rentree`): each opted-in ADML gets, for each school
  they administer, the count of its accounts still to activate, the change since last week's count, and the CSV
  `/nonactives` attaches (the CSV only while the chat's link holds; it names people). The support leads get one
  summary per school in the agents' Telegram group (`telegram.agents_chat_id`). Once a week's pass over the chats
  is complete, the later runs of that week stop at once (a chat that opts in meanwhile has next week's digest).
- **The activation reminder**: a chat linked to an account and told that account is not activated is reminded
  once, `notices.activation_reminder_hours` later, if the directory still says so at that moment.

One opt-in covers all three: what a chat receives follows from the account it is linked to. A chat opts in only
while it is linked (the existing linking: `/lier`), on a channel that can write first (Telegram); it stops getting
anything once it unlinks (`/delier`) or opts out (`/desabonner`).

Each notice is sent at most once: its key is claimed (`NoticeStore.claim`) in the transaction that stores the
message in the chat's inbox, and the message is pushed through the chat's channel once that transaction is
committed, as the scheduler's reminders are (`bot.scheduler.remind`). A run cut short between the two leaves the
message in the inbox; the next run pushes what waits for the chats that opted in. Telegram's sending keeps under
the Bot API's limits (the channel's `AIORateLimiter`, and its retries of a 429); a run sends
`notices.messages_per_run` messages at most (checked between chats: a chat's notices of a run go together) and
leaves the rest to the next one.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot import texts
from bot.config import FreezeWindow
from bot.core.accounts import Account, AccountState
from bot.core.authz import Actor
from bot.core.notices import (
    announcements_due,
    change,
    digest_week,
    previous_week,
    reminder_due,
    within_sending_hours,
)
from bot.directory.port import DirectoryError
from bot.messages import Button, OutboundMessage, channel_of
from bot.services.container import SCHEDULER, Services, date_in_words, freeze_schedule
from bot.services.unactivated import csv_document, pending_accounts
from bot.storage.audit import Outcome
from bot.storage.notices import PurgeCutoffs

log = logging.getLogger(__name__)

PUSH_CHANNELS = frozenset({"telegram"})
"""Channels that can write to a chat first (a web page only hears back while it is open)."""

FREEZE, DIGEST, LEADS, REMINDER = "freeze", "digest", "leads", "reminder"
UNSUBSCRIBE = "/unsubscribe"
STILL_TO_ACTIVATE = (AccountState.PROVISIONAL, AccountState.RESET)


class Subscription(enum.StrEnum):
    """What `/abonner` or `/desabonner` did."""

    SUBSCRIBED = "subscribed"
    SUBSCRIBED_ADML = "subscribed_adml"  # also the weekly digest of the ADML's schools
    ALREADY = "already"
    NOT_LINKED = "not_linked"
    NOT_HERE = "not_here"  # a channel that cannot write first
    UNSUBSCRIBED = "unsubscribed"
    NOT_SUBSCRIBED = "not_subscribed"


def subscribe(services: Services, actor: Actor) -> Subscription:
    """Opt the chat in, when it is linked to an account and its channel can write first."""
    if channel_of(actor.sender_id) not in PUSH_CHANNELS:
        return Subscription.NOT_HERE
    account = actor.linked_account
    if account is None:
        return Subscription.NOT_LINKED
    if not services.notices.subscribe(actor.sender_id, services.now()):
        return Subscription.ALREADY
    services.record(actor, channel_of(actor.sender_id), "subscribe_notices", None, Outcome.DONE)
    return Subscription.SUBSCRIBED_ADML if account.adml_of else Subscription.SUBSCRIBED


def unsubscribe(services: Services, actor: Actor) -> Subscription:
    """Opt the chat out (linked or not: anyone may stop messages)."""
    if not services.notices.unsubscribe(actor.sender_id):
        return Subscription.NOT_SUBSCRIBED
    services.record(actor, channel_of(actor.sender_id), "unsubscribe_notices", None, Outcome.DONE)
    return Subscription.UNSUBSCRIBED


def note_not_activated(services: Services, actor: Actor, account: Account) -> None:
    """The chat was told `account` is not activated: watched for the reminder when it is the chat's own account."""
    own = actor.linked_account
    if own is not None and own.login == account.login and account.state in STILL_TO_ACTIVATE:
        services.notices.watch(actor.sender_id, account.login, services.now())


# -- sending -------------------------------------------------------------------------------------------------
@dataclass
class _Run:
    """One run of a job: what it sent, and how many it may still send."""

    services: Services
    budget: int
    sent: list[str] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.budget <= 0

    def send(
        self,
        key: str,
        kind: str,
        sender_id: str,
        messages: list[OutboundMessage],
        opted_in: bool = True,
        also: Callable[[Session], None] | None = None,
    ) -> bool:
        """Claim `key` and store the messages for the chat in one transaction, then push them; False when the key
        was sent already, or the chat (`opted_in`) no longer is. `also` runs in that transaction either way."""
        services = self.services
        with services.sessions.begin() as session:
            if also is not None:
                also(session)
            if opted_in and not services.notices.is_subscribed(sender_id, session):
                return False  # opted out since the run read the list
            if not services.notices.claim(key, kind, sender_id, services.now(), session):
                return False
            services.relay.enqueue(sender_id, messages, session)
            services.record(SCHEDULER, "scheduler", f"notice_{kind}", None, Outcome.DONE, session=session)
        services.relay.push(sender_id)
        self.budget -= 1
        self.sent.append(key)
        return True


def _start(services: Services) -> _Run | None:
    """A run, if notices may go now (sending hours); what waits for the opted-in chats is pushed first: the
    messages of a run cut short after it stored them."""
    settings = services.config.notices
    if not within_sending_hours(services.local_now(), settings.send_from_hour, settings.send_until_hour):
        return None
    for sender_id in services.relay.waiting(services.notices.subscribers()):
        services.relay.push(sender_id)
    return _Run(services, settings.messages_per_run)


def _unsubscribe_button() -> Button:
    return Button(texts.text("button_unsubscribe"), UNSUBSCRIBE)


# -- freeze announcements ----------------------------------------------------------------------------------
def freeze_announcement(services: Services, tenant_id: str, window: FreezeWindow) -> OutboundMessage:
    """The announcement of `window` in the words of the ENT `tenant_id` (its own text, else the shared one)."""
    today = services.local_now().date()
    values = {
        **services.tenant_facts(tenant_id),
        "dates": freeze_schedule([window], today),
        "start": date_in_words(window.start),
        "end": date_in_words(window.end),
        "days": (window.start - today).days,
    }
    if texts.has(f"freeze_announcement_{tenant_id}"):
        wording = texts.text(f"freeze_announcement_{tenant_id}", **values)
    else:
        wording = texts.text("freeze_announcement_any_ent", **values)
    return OutboundMessage(wording, (_unsubscribe_button(),))


def announce_freezes(services: Services) -> list[str]:
    """Tell the opted-in chats of each ENT about its freeze windows starting soon; the keys sent."""
    run = _start(services)
    if run is None:
        return []
    today = services.local_now().date()
    days = services.config.notices.freeze_notice_days
    due = {
        tenant_id: windows
        for tenant_id, tenant in services.config.tenants.items()
        if (windows := announcements_due(today, tenant.freeze_windows, days))
    }
    passed = f"{FREEZE}:{today.isoformat()}:every-chat"
    if not due or services.notices.was_sent(passed):
        return []  # nothing due, or today's pass is done: a chat that opts in later is told tomorrow
    # the chats told already of every window due in some ENT: done (one query a window, not a look-up a chat)
    told = [
        set.intersection(*(services.notices.senders_sent(_freeze_prefix(t, w)) for w in windows))
        for t, windows in due.items()
    ]
    for sender_id in services.notices.subscribers():
        if run.exhausted:
            break
        if any(sender_id in done for done in told):
            continue
        standing = services.links.standing_link(sender_id)
        if standing is None:
            continue
        tenant_id = services.tenant_of(services.directory.find_account(standing[0].login))
        for window in due.get(tenant_id or "", []):
            key = _freeze_prefix(tenant_id or "", window) + sender_id
            if not services.notices.was_sent(key):
                assert tenant_id is not None
                run.send(key, FREEZE, sender_id, [freeze_announcement(services, tenant_id, window)])
    if not run.exhausted:
        services.notices.mark(passed, "pass", services.now())
    return run.sent


def _freeze_prefix(tenant_id: str, window: FreezeWindow) -> str:
    return f"{FREEZE}:{tenant_id}:{window.start.isoformat()}:"


def freeze_banners(services: Services) -> list[str]:
    """The web page's banners: one for each ENT in a freeze window today, in its words."""
    banners = []
    for tenant_id in services.config.tenants:
        status = services.freeze(tenant_id)
        if not status.frozen or status.until is None:
            continue
        values = {**services.tenant_facts(tenant_id), "end": date_in_words(status.until)}
        if texts.has(f"freeze_banner_{tenant_id}"):
            banners.append(texts.text(f"freeze_banner_{tenant_id}", **values))
        else:
            banners.append(texts.text("freeze_banner_any_ent", **values))
    return banners


# -- the ADMLs' weekly digest ----------------------------------------------------------------------------
def _change_in_words(difference: int | None) -> str:
    if difference is None:
        return texts.text("digest_change_first")
    if difference > 0:
        return texts.text("digest_change_more", count=difference)
    if difference < 0:
        return texts.text("digest_change_fewer", count=-difference)
    return texts.text("digest_change_same")


def _week_in_words(week: str) -> str:
    year, number = week.split("-W")
    return date_in_words(dt.date.fromisocalendar(int(year), int(number), 1))


@dataclass
class _School:
    uai: str
    name: str
    pending: list[Account]
    count: int
    change: int | None


@dataclass
class _Schools:
    """The schools a digest run looked at, each read from the directory once, and counted for the week."""

    services: Services
    week: str
    read: dict[str, _School] = field(default_factory=dict)

    def __call__(self, uai: str) -> _School:
        if uai not in self.read:
            services = self.services
            establishment = services.directory.find_establishment(uai)
            pending = pending_accounts(services.directory, uai)
            services.notices.week_count(uai, self.week, len(pending), services.now())  # next week's change reads it
            last = services.notices.count_of(uai, previous_week(self.week))
            name = establishment.name if establishment else uai
            self.read[uai] = _School(uai, name, pending, len(pending), change(len(pending), last))
        return self.read[uai]


def digest_message(services: Services, school: _School, week: str, with_list: bool) -> OutboundMessage:
    """An ADML's digest of one school: the count, its change, and the CSV when the chat may see names."""
    wording = texts.text(
        "adml_digest",
        school=school.name,
        uai=school.uai,
        count=school.count,
        change=_change_in_words(school.change),
        week=_week_in_words(week),
    )
    buttons = (_unsubscribe_button(),)
    if not school.pending:
        return OutboundMessage(wording, buttons)
    if not with_list:
        return OutboundMessage(wording + "\n" + texts.text("adml_digest_relink"), buttons)
    document = csv_document(services, school.uai, school.pending)
    return OutboundMessage(wording + "\n" + texts.text("adml_digest_list"), buttons, document=document)


def leads_summary(week: str, schools: list[_School]) -> OutboundMessage:
    lines = [texts.text("leads_digest_header", week=_week_in_words(week), schools=len(schools))]
    lines += [
        texts.text(
            "leads_digest_line",
            uai=school.uai,
            school=school.name,
            count=school.count,
            change=_change_in_words(school.change),
        )
        for school in sorted(schools, key=lambda s: (-s.count, s.uai))
    ]
    return OutboundMessage("\n".join(lines))


def send_digests(services: Services) -> list[str]:
    """During the rentrée, once a week: each opted-in ADML's digest of their schools, then the support leads'
    summary (once every digest of the week went); the keys sent."""
    settings = services.config.notices
    week = digest_week(services.local_now(), settings.rentree, settings.digest_weekday, settings.digest_hour)
    run = _start(services) if week is not None else None
    if run is None or week is None:
        return []
    passed = f"{DIGEST}:{week}:every-chat"
    if services.notices.was_sent(passed):
        return []  # the week's pass over the chats is done: a chat that opts in later has next week's digest
    schools = _Schools(services, week)
    for sender_id in services.notices.subscribers():
        if run.exhausted:
            return run.sent  # the next run goes on (what went is recorded); the summary waits for it
        _send_digests_of(run, sender_id, schools)
    _send_leads_summary(run, schools)
    if not run.exhausted:
        services.notices.mark(passed, "pass", services.now())
    return run.sent


def _send_digests_of(run: _Run, sender_id: str, schools: _Schools) -> None:
    """The chat's digest of each school its account administers (in one run: the budget is checked between chats)."""
    services = run.services
    standing = services.links.standing_link(sender_id)
    if standing is None:
        return
    link, alive = standing
    account = services.directory.find_account(link.login)
    administered = link.adml_of if link.adml_of is not None else (account.adml_of if account else ())
    for uai in administered:
        key = f"{DIGEST}:{uai}:{schools.week}:{sender_id}"
        if not services.notices.was_sent(key):
            run.send(key, DIGEST, sender_id, [digest_message(services, schools(uai), schools.week, alive)])


def _send_leads_summary(run: _Run, schools: _Schools) -> None:
    """The support leads' summary of the week's schools, to the agents' Telegram group: configured for it, it
    needs no opt-in."""
    services = run.services
    agents = services.config.telegram.agents_chat_id
    key = f"{LEADS}:{schools.week}"
    if agents is None or run.exhausted or services.notices.was_sent(key):
        return
    for uai, _ in services.notices.counts_of_week(schools.week):
        schools(uai)  # the schools another run counted this week
    if schools.read:
        summary = leads_summary(schools.week, list(schools.read.values()))
        run.send(key, LEADS, f"telegram:{agents}", [summary], opted_in=False)


# -- the activation reminder -------------------------------------------------------------------------------
def activation_reminder(services: Services, account: Account) -> OutboundMessage:
    facts = services.tenant_facts(services.tenant_of(account))
    return OutboundMessage(
        texts.text("activation_reminder", login=account.login, ent_url=facts.get("ent_url", "")),
        (Button(texts.text("intent_label_ask_activation_howto"), "/ask_activation_howto"), _unsubscribe_button()),
    )


def remind_unactivated(services: Services) -> list[str]:
    """Remind once each opted-in chat told its account was not activated, if the directory still says so now; a
    watch whose account was activated meanwhile is dropped without a word. The keys sent."""
    run = _start(services)
    if run is None:
        return []
    now = services.now()
    delay = dt.timedelta(hours=services.config.notices.activation_reminder_hours)
    for watch in services.notices.watches(told_before=now - delay):
        if run.exhausted:
            break
        if not reminder_due(watch.told_at, now, delay) or not services.notices.is_subscribed(watch.sender_id):
            continue  # not opted in (yet): the watch waits, until the purge
        link = services.links.link_of(watch.sender_id)
        if link is None or link.login != watch.login:
            continue  # a reminder names the account: only to a chat whose link to it still holds
        account = services.directory.find_account(watch.login)  # the directory as it is now
        if account is None or account.state not in STILL_TO_ACTIVATE:
            services.notices.drop_watch(watch.id)
            continue

        def done(session: Session, watch_id: int = watch.id) -> None:
            services.notices.drop_watch(watch_id, session)

        key = f"{REMINDER}:{watch.sender_id}:{watch.login}"
        run.send(key, REMINDER, watch.sender_id, [activation_reminder(services, account)], also=done)
    return run.sent


def run_guarded(job: Callable[[Services], list[str]], services: Services) -> list[str]:
    """A job's run; a directory down ends it (the next run goes on where it stopped: what went was recorded)."""
    try:
        return job(services)
    except DirectoryError as exc:
        log.warning("notices stopped: the directory is unavailable (%s)", exc)
        return []


# -- retention ---------------------------------------------------------------------------------------------
def purge_cutoffs(services: Services) -> PurgeCutoffs:
    """What the purge deletes: sent records and watches after the transcripts' retention, but never while a key
    could still be due (a freeze window's announcement days, the week of a digest, a reminder's delay); week counts
    after two weeks at least (the next week's change reads the last); a subscription once its chat's link has been
    gone (unlinked, or past its lifetime) for the transcripts' retention."""
    now = services.now()
    settings = services.config
    retention = dt.timedelta(days=settings.assistant.transcript_retention_days)
    notices = settings.notices
    return PurgeCutoffs(
        sent_before=now - max(retention, dt.timedelta(days=notices.freeze_notice_days + 1), dt.timedelta(days=8)),
        watches_before=now - max(retention, dt.timedelta(hours=notices.activation_reminder_hours + 24)),
        counts_before=now - max(retention, dt.timedelta(days=15)),
        links_before=now - retention - dt.timedelta(days=settings.linking.link_lifetime_days),
    )
