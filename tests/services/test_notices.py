"""The notices' jobs end to end: SQL storage, the real Telegram channel (python-telegram-bot) against the Bot API
server on 127.0.0.1 (tests/support/fake_bot_api.py), a fixed clock.

Each job is run, the assistant "restarted" (new services and a new channel on the same database, nothing kept in
memory), and run again: what a user or an agent would notice is that each notice arrives once, only in chats that
opted in, in their ENT's words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.bootstrap import build_assistant, build_services
from bot.channels.telegram import TelegramChannel
from bot.config import NoticeSettings, TelegramSettings
from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage
from bot.nlu.model import NluModel
from bot.services import Services
from bot.services.notices import (
    Subscription,
    announce_freezes,
    remind_unactivated,
    send_digests,
    subscribe,
    unsubscribe,
)
from bot.storage.models import DirAccount
from tests.conftest import SettableClock
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.processes import free_port

TOKEN = "123456:TEST-token"
AGENTS = -100500
PARIS = dt.timezone(dt.timedelta(hours=2))
LUCAS = 5001  # lucas.martin, monlycee (0750001A), active
JULES = 5002  # jules.faure, netocentre (0450012D), active
MARIE = 5003  # marie.dupont, monlycee, never activated
HUGO = 5005  # hugo.petit, monlycee (0931234B), reset
THOMAS = 5006  # thomas.fournier, monlycee (0931234B), never activated
ISABELLE = 6001  # isabelle.roux, ADML of 0750001A
CLAIRE = 6002  # claire.lambert, ADML of 0931234B

Job = Callable[[Services], list[str]]


class Deployment:
    """The assistant's services and its Telegram channel on the test database; `restart` builds both again."""

    def __init__(self, base: Services, api: FakeBotApi, nlu: NluModel, database_url: str, outbox: Path) -> None:
        self.api, self.nlu, self.database_url, self.outbox = api, nlu, database_url, outbox
        self.settings = TelegramSettings(base_url=f"http://127.0.0.1:{api.port}/bot", agents_chat_id=AGENTS)
        self.config = base.config.model_copy(update={"telegram": self.settings})
        self.clock = base.clock
        self.services = base
        self.channel: TelegramChannel | None = None
        self.built: list[Services] = []

    async def start(self) -> Services:
        self.services = build_services(
            self.config, clock=self.clock, database_url=self.database_url, mailer=CaptureMailer(self.outbox)
        )
        self.built.append(self.services)
        self.channel = TelegramChannel(build_assistant(self.services, self.nlu), TOKEN, self.settings)
        await self.channel.start()
        return self.services

    async def stop(self) -> None:
        if self.channel is not None and self.channel.application.running:
            await self.channel.stop()
        self.channel = None

    async def restart(self) -> Services:
        await self.stop()
        return await self.start()

    def configure(self, **notices: Any) -> None:
        """Notices settings for the next start (`restart`)."""
        self.config = self.config.model_copy(update={"notices": NoticeSettings(**notices)})

    async def run(self, job: Job) -> list[str]:
        """Run a job as the scheduler does (in a worker thread), then wait until Telegram has what it pushed."""
        before = len(self.api.calls)
        sent = await asyncio.to_thread(job, self.services)
        if sent:
            await self.api.wait_for(lambda: len(self.api.calls) > before)
            await self.settled()
        return sent

    async def settled(self) -> None:
        """Wait until the channel's sends have left (the deliverer hands them to the event loop)."""
        for _ in range(200):
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and "_send" in repr(t)]
            if not pending:
                return
            await asyncio.sleep(0.02)

    def link(self, user: int, login: str, at: dt.datetime | None = None) -> None:
        self.services.links.link(f"telegram:{user}", login, at or self.clock())

    def opt_in(self, user: int) -> Subscription:
        return subscribe(self.services, self.services.actor(f"telegram:{user}"))

    def to(self, user: int, method: str = "sendMessage") -> list[Call]:
        return self.api.sent(method, user)

    async def lucas_subscribed_a_week_before_the_freeze(self, clock: SettableClock) -> Services:
        """Started on 8 July 2026 at 10:00 (the summer freeze five days ahead), lucas.martin's chat linked, opted in."""
        clock.now = dt.datetime(2026, 7, 8, 10, tzinfo=PARIS)
        services = await self.start()
        self.link(LUCAS, "lucas.martin")
        self.opt_in(LUCAS)
        return services


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start(free_port())
    yield server
    await server.stop()


@pytest.fixture
async def deployment(
    services: Services, api: FakeBotApi, nlu: NluModel, database_url: str, tmp_path: Path
) -> AsyncIterator[Deployment]:
    built = Deployment(services, api, nlu, database_url, tmp_path / "outbox")
    yield built
    await built.stop()
    for each in built.built:
        each.database.dispose()


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


# -- freeze announcements ----------------------------------------------------------------------------------------
async def test_a_freeze_is_announced_once_in_each_ents_words_to_the_chats_that_opted_in(
    deployment: Deployment, clock: SettableClock
) -> None:
    clock.now = dt.datetime(2026, 7, 1, 10, tzinfo=PARIS)  # 12 days before MonLycée's window, 5 before netocentre's
    deployment.configure(freeze_notice_days=14)
    await deployment.start()
    for user, login in ((LUCAS, "lucas.martin"), (JULES, "jules.faure"), (MARIE, "marie.dupont"), (HUGO, "hugo.petit")):
        deployment.link(user, login)
    assert deployment.opt_in(LUCAS) is Subscription.SUBSCRIBED and deployment.opt_in(JULES) is Subscription.SUBSCRIBED
    deployment.opt_in(HUGO)
    unsubscribe(deployment.services, deployment.services.actor(f"telegram:{HUGO}"))  # MARIE never opted in

    sent = await deployment.run(announce_freezes)
    assert sorted(sent) == [
        "freeze:monlycee:2026-07-13:telegram:5001",
        "freeze:netocentre:2026-07-06:telegram:5002",
    ]
    (monlycee,) = deployment.to(LUCAS)
    assert monlycee.params["text"].startswith("Information MonLycée.net")
    assert "du 13 juillet au 21 août 2026" in monlycee.params["text"] and "CESAME" in monlycee.params["text"]
    assert "activez-le avant le 13 juillet 2026" in monlycee.params["text"]
    assert buttons(monlycee) == ["Me désabonner"]
    (netocentre,) = deployment.to(JULES)
    assert netocentre.params["text"].startswith("Information netocentre")
    assert "du 6 juillet au 14 août 2026" in netocentre.params["text"]
    assert deployment.to(MARIE) == [] and deployment.to(HUGO) == []

    await deployment.restart()
    assert await deployment.run(announce_freezes) == []
    clock.advance(days=1)  # still within the announcement days: nothing new to say
    assert await deployment.run(announce_freezes) == []
    assert len(deployment.to(LUCAS)) == 1 and len(deployment.to(JULES)) == 1


async def test_no_announcement_before_the_sending_hours_nor_to_a_chat_that_unlinked(
    deployment: Deployment, clock: SettableClock
) -> None:
    clock.now = dt.datetime(2026, 7, 8, 6, 30, tzinfo=PARIS)
    services = await deployment.start()
    deployment.link(LUCAS, "lucas.martin")
    deployment.link(MARIE, "marie.dupont")
    deployment.opt_in(LUCAS)
    deployment.opt_in(MARIE)
    services.links.unlink(f"telegram:{MARIE}", clock())
    assert await deployment.run(announce_freezes) == []  # 6:30: nobody is woken
    clock.advance(hours=2)
    assert await deployment.run(announce_freezes) == ["freeze:monlycee:2026-07-13:telegram:5001"]
    assert deployment.to(MARIE) == []


async def test_an_announcement_telegram_answers_429_to_arrives_once(
    deployment: Deployment, clock: SettableClock, api: FakeBotApi
) -> None:
    await deployment.lucas_subscribed_a_week_before_the_freeze(clock)
    api.fail_next("sendMessage", "429")
    await deployment.run(announce_freezes)
    await api.wait_for(lambda: deployment.to(LUCAS))
    assert [c.method for c in api.calls if c.method.startswith("sendMessage")] == ["sendMessage!429", "sendMessage"]


async def test_a_run_sends_at_most_its_budget_and_the_next_run_sends_the_rest(
    deployment: Deployment, clock: SettableClock
) -> None:
    clock.now = dt.datetime(2026, 7, 8, 10, tzinfo=PARIS)
    deployment.configure(messages_per_run=1)
    await deployment.start()
    for user, login in ((LUCAS, "lucas.martin"), (MARIE, "marie.dupont")):
        deployment.link(user, login)
        deployment.opt_in(user)
    assert len(await deployment.run(announce_freezes)) == 1
    assert len(await deployment.run(announce_freezes)) == 1
    assert await deployment.run(announce_freezes) == []
    assert len(deployment.to(LUCAS)) == 1 and len(deployment.to(MARIE)) == 1


async def test_a_run_cut_short_after_its_claim_is_delivered_once_by_the_next_run(
    deployment: Deployment, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = await deployment.lucas_subscribed_a_week_before_the_freeze(clock)

    def dies(sender_id: str) -> None:
        raise RuntimeError("the instance died between the claim and the sending")

    monkeypatch.setattr(services.relay, "push", dies)
    with pytest.raises(RuntimeError):
        await asyncio.to_thread(announce_freezes, services)
    assert deployment.to(LUCAS) == []
    await deployment.restart()
    assert await deployment.run(announce_freezes) == []  # claimed already: not stored again, only delivered
    await deployment.api.wait_for(lambda: deployment.to(LUCAS))
    assert await deployment.run(announce_freezes) == []
    assert len(deployment.to(LUCAS)) == 1


async def test_a_run_cut_short_before_its_claim_was_committed_sends_once_at_the_next_run(
    deployment: Deployment, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = await deployment.lucas_subscribed_a_week_before_the_freeze(clock)
    append = services.audit.append

    def dies_recording(**row: Any) -> int:
        if row["operation"] == "notice_freeze":
            raise RuntimeError("the instance died here")
        return append(**row)

    monkeypatch.setattr(services.audit, "append", dies_recording)
    with pytest.raises(RuntimeError):
        await asyncio.to_thread(announce_freezes, services)
    await deployment.restart()
    assert await deployment.run(announce_freezes) == ["freeze:monlycee:2026-07-13:telegram:5001"]
    assert len(deployment.to(LUCAS)) == 1


# -- the ADMLs' weekly digest -------------------------------------------------------------------------------
async def test_the_rentree_digest_goes_weekly_to_admls_who_opted_in_with_the_csv_and_the_change(
    deployment: Deployment, clock: SettableClock, api: FakeBotApi
) -> None:
    clock.now = dt.datetime(2026, 9, 7, 9, tzinfo=PARIS)  # a Monday of the rentrée
    services = await deployment.start()
    deployment.link(ISABELLE, "isabelle.roux")
    deployment.link(CLAIRE, "claire.lambert", clock() - dt.timedelta(days=2))  # an ADML's link lasts 12 hours
    deployment.link(LUCAS, "lucas.martin")
    for user in (ISABELLE, LUCAS):
        deployment.opt_in(user)
    services.notices.subscribe(f"telegram:{CLAIRE}", clock() - dt.timedelta(days=2))  # opted in while linked

    sent = await deployment.run(send_digests)
    assert sorted(sent) == [
        "digest:0750001A:2026-W37:telegram:6001",
        "digest:0931234B:2026-W37:telegram:6002",
        "leads:2026-W37",
    ]
    (digest,) = deployment.to(ISABELLE)
    assert digest.params["text"].startswith("Rentrée, semaine du 7 septembre 2026 — Lycée Jean Moulin (0750001A) :")
    assert "2 compte(s) pas encore activé(s), premier décompte de la rentrée" in digest.params["text"]
    (document,) = await api.wait_for(lambda: deployment.to(ISABELLE, "sendDocument"))
    content = document.params["document"]["content"]
    assert content.splitlines()[0] == "uai;identifiant;prenom;nom;profil;etat;mot_de_passe_provisoire_du"
    assert {line.split(";")[1] for line in content.splitlines()[1:]} == {"marie.dupont", "sophie.garnier"}
    (lapsed,) = deployment.to(CLAIRE)  # counts only: the list names people, and this link no longer holds
    assert "Lycée Paul Éluard (0931234B) : 2 compte(s)" in lapsed.params["text"]
    assert "vérifiez de nouveau votre compte avec /lier" in lapsed.params["text"]
    assert deployment.to(CLAIRE, "sendDocument") == []
    assert deployment.to(LUCAS) == []  # not an ADML
    (summary,) = deployment.to(AGENTS)
    assert summary.params["text"].splitlines() == [
        "Rentrée, semaine du 7 septembre 2026 : comptes pas encore activés, 2 établissement(s)",
        "- 0750001A Lycée Jean Moulin : 2 (premier décompte de la rentrée)",
        "- 0931234B Lycée Paul Éluard : 2 (premier décompte de la rentrée)",
    ]

    services = await deployment.restart()
    clock.advance(days=2)  # Wednesday: the week's digest went already
    assert await deployment.run(send_digests) == []

    clock.now = dt.datetime(2026, 9, 14, 8, 30, tzinfo=PARIS)  # next Monday
    services.directory.set_provisional_password("lucas.martin", "Provisoire-2026", clock())  # one more to activate
    deployment.link(ISABELLE, "isabelle.roux")  # proved again this morning
    sent = await deployment.run(send_digests)
    assert "digest:0750001A:2026-W38:telegram:6001" in sent
    latest = deployment.to(ISABELLE)[-1]
    assert "3 compte(s) pas encore activé(s), 1 de plus que la semaine dernière" in latest.params["text"]
    assert (
        "- 0931234B Lycée Paul Éluard : 2 (autant que la semaine dernière)" in deployment.to(AGENTS)[-1].params["text"]
    )
    assert len(deployment.to(ISABELLE)) == 2 and len(deployment.to(AGENTS)) == 2


async def test_no_digest_outside_the_rentree(deployment: Deployment, clock: SettableClock) -> None:
    clock.now = dt.datetime(2026, 11, 23, 9, tzinfo=PARIS)  # a Monday after the rentrée
    await deployment.start()
    deployment.link(ISABELLE, "isabelle.roux")
    deployment.opt_in(ISABELLE)
    assert await deployment.run(send_digests) == []
    assert deployment.to(ISABELLE) == [] and deployment.to(AGENTS) == []


# -- the activation reminder -------------------------------------------------------------------------------
async def test_a_user_told_not_activated_is_reminded_once_if_still_not_activated(
    deployment: Deployment, clock: SettableClock
) -> None:
    services = await deployment.start()
    deployment.link(MARIE, "marie.dupont")
    deployment.opt_in(MARIE)
    told = await asyncio.to_thread(
        deployment.channel.assistant.handle,  # type: ignore[union-attr]
        InboundMessage(f"telegram:{MARIE}", "je n'arrive pas à me connecter"),
    )
    assert told.diagnosis == "not_activated"
    clock.advance(hours=71)
    assert await deployment.run(remind_unactivated) == []
    clock.advance(hours=2)
    assert await deployment.run(remind_unactivated) == ["reminder:telegram:5003:marie.dupont"]
    (reminder,) = deployment.to(MARIE)
    assert reminder.params["text"].startswith("Rappel : votre compte marie.dupont n'est toujours pas activé")
    assert buttons(reminder) == ["Activer mon compte", "Me désabonner"]

    await deployment.restart()
    clock.advance(days=1)
    assert await deployment.run(remind_unactivated) == []
    assert len(deployment.to(MARIE)) == 1
    assert services.notices.watches(told_before=clock()) == []


async def test_no_reminder_once_the_account_was_activated_nor_to_a_chat_that_did_not_opt_in(
    deployment: Deployment, clock: SettableClock
) -> None:
    services = await deployment.start()
    deployment.link(THOMAS, "thomas.fournier")
    deployment.link(MARIE, "marie.dupont")
    deployment.opt_in(THOMAS)  # MARIE does not opt in
    for user in (THOMAS, MARIE):
        result = await asyncio.to_thread(
            deployment.channel.assistant.handle,  # type: ignore[union-attr]
            InboundMessage(f"telegram:{user}", "je n'arrive pas à me connecter"),
        )
        assert result.diagnosis == "not_activated"
    with services.sessions.begin() as session:  # thomas activates his account on the ENT meanwhile
        session.execute(update(DirAccount).where(DirAccount.login == "thomas.fournier").values(state="active"))
    clock.advance(hours=80)
    assert await deployment.run(remind_unactivated) == []
    assert deployment.to(THOMAS) == [] and deployment.to(MARIE) == []
    assert [w.login for w in services.notices.watches(told_before=clock())] == ["marie.dupont"]  # if she opts in


async def test_a_chat_opting_in_after_the_days_pass_is_told_the_next_day(
    deployment: Deployment, clock: SettableClock
) -> None:
    await deployment.lucas_subscribed_a_week_before_the_freeze(clock)
    assert len(await deployment.run(announce_freezes)) == 1
    deployment.link(MARIE, "marie.dupont")
    deployment.opt_in(MARIE)
    clock.advance(hours=1)
    assert await deployment.run(announce_freezes) == []  # today's pass over the chats is done
    clock.advance(days=1)
    assert await deployment.run(announce_freezes) == ["freeze:monlycee:2026-07-13:telegram:5003"]
    assert len(deployment.to(MARIE)) == 1 and len(deployment.to(LUCAS)) == 1
