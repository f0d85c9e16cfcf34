"""Telegram, fully offline: the real bot (python-telegram-bot) against a Bot API server on 127.0.0.1.

Whole conversations as a user, an ADML and a support agent, and a restart in the middle of a ticket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot import texts
from bot.bootstrap import build_assistant, build_services
from bot.channels.telegram import TelegramChannel, command_payload, split_text
from bot.config import AppConfig, TelegramSettings
from bot.directory.fixture import load_fixture
from bot.mail.capture import CaptureMailer
from bot.messages import Button, OutboundMessage
from bot.nlu.model import NluModel
from bot.services import Services
from tests.conftest import ROOT, SettableClock
from tests.support.expect import first_group, present
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.processes import free_port

TOKEN = "123456:TEST-token"
AGENTS = -100500
AGENT = 7001
USER = 5001
ADML = 6001  # isabelle.roux, ADML of 0750001A
OTHER_ADML = 6002  # claire.lambert, ADML of 0931234B


class Bot:
    """The running channel and what a test needs around it."""

    def __init__(self, api: FakeBotApi, services: Services, channel: TelegramChannel, mailer: CaptureMailer) -> None:
        self.api = api
        self.services = services
        self.channel = channel
        self.mailer = mailer
        self._handled: set[int] = set()
        self._progress = asyncio.Condition()
        # a last handler group: it runs once the channel's own handlers are done with an update
        channel.application.add_handler(TypeHandler(Update, self._on_handled), group=1)

    async def _on_handled(self, update: Update, context: object) -> None:
        async with self._progress:
            self._handled.add(update.update_id)
            self._progress.notify_all()

    async def handled(self, update_id: int, timeout: float = 30.0) -> None:
        """Wait until the channel has finished handling update `update_id` (every reply of its turn sent)."""
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: update_id in self._handled), timeout)

    async def _turn(self, user_id: int, mark: int, update_id: int) -> Call:
        await self.handled(update_id)
        calls = self.api.calls
        replies = [c for c in calls[mark:] if c.method == "sendMessage" and int(c.params["chat_id"]) == user_id]
        assert replies, f"no reply to {user_id}; calls: {[(c.method, c.params.get('text', '')[:60]) for c in calls]}"
        return replies[0]

    async def say(self, user_id: int, text: str) -> Call:
        """The first reply of the turn, once the whole turn is handled (no message of it comes later)."""
        mark = len(self.api.calls)
        return await self._turn(user_id, mark, self.api.user_says(user_id, text))

    async def click(self, user_id: int, sent: Call, title: str) -> Call:
        mark = len(self.api.calls)
        return await self._turn(user_id, mark, self.api.click(user_id, sent, title))


Start = Callable[[], Awaitable[Bot]]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(forum_chats={AGENTS})
    await server.start(free_port())
    yield server
    await server.stop()


@pytest.fixture
async def start_bot(
    api: FakeBotApi, config: AppConfig, clock: SettableClock, database_url: str, tmp_path: Path, nlu: NluModel
) -> AsyncIterator[Start]:
    """Starts the bot on the test database; call it again after `stop` to restart with nothing kept in memory."""
    settings = TelegramSettings(
        base_url=f"http://127.0.0.1:{api.port}/bot",
        agents_chat_id=AGENTS,
        agent_user_ids=[AGENT],
        password_message_ttl_seconds=600,
    )
    test_config = config.model_copy(update={"telegram": settings})
    running: list[Bot] = []
    loaded = False

    async def start() -> Bot:
        nonlocal loaded
        mailer = CaptureMailer(tmp_path / "outbox")
        services = build_services(test_config, clock=clock, database_url=database_url, mailer=mailer)
        if not loaded:
            services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
            now = clock()
            services.links.link(f"telegram:{ADML}", "isabelle.roux", now)
            services.links.link(f"telegram:{OTHER_ADML}", "claire.lambert", now)
            loaded = True
        channel = TelegramChannel(build_assistant(services, nlu), TOKEN, settings)
        await channel.start()
        bot = Bot(api, services, channel, mailer)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        if bot.channel.application.running:
            await bot.channel.stop()
        bot.services.database.dispose()


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


# -- pure helpers ----------------------------------------------------------------------------------
def test_long_text_is_split_at_line_ends_under_the_limit() -> None:
    text = "\n".join(f"ligne {n} " + "x" * 80 for n in range(200))
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    assert split_text("a" * 9000) == ["a" * 4096, "a" * 4096, "a" * 808]


def test_commands_become_assistant_payloads_without_injection() -> None:
    assert command_payload("reinit", ["marie.dupont"]) == '/request_reset{"username": "marie.dupont"}'
    assert command_payload("debloquer", ['x"}{"a']) == '/unlock_account{"username": "x\\"}{\\"a"}'
    assert command_payload("start", ["lier"]) == "/link_account"
    assert command_payload("start", []) == "/greet"
    assert command_payload("inconnue", []) is None
    assert command_payload("abonner", []) == "/subscribe" and command_payload("desabonner", []) == "/unsubscribe"


# -- a user ------------------------------------------------------------------------------------------
async def test_a_user_is_diagnosed_and_clicks_through_inline_keyboards(start_bot: Start) -> None:
    bot = await start_bot()
    greeting = await bot.say(USER, "/start")
    assert greeting.params["text"].startswith("Bonjour")
    assert "Je n'arrive pas à me connecter" in buttons(greeting)
    assert "parse_mode" not in greeting.params

    asked = await bot.click(USER, greeting, "Je n'arrive pas à me connecter")
    assert "identifiant" in asked.params["text"]
    assert bot.api.sent("answerCallbackQuery")
    removed = bot.api.sent("editMessageReplyMarkup", USER)
    assert removed and not removed[-1].params.get("reply_markup")

    diagnosis = await bot.say(USER, "chloe.bernard")
    assert "a expiré" in diagnosis.params["text"] and buttons(diagnosis) == ["Oui", "Non"]
    done = await bot.click(USER, diagnosis, "Oui")
    assert "C'est fait" in done.params["text"]
    assert [m.recipient for m in bot.mailer.sent] == ["chloe.b@example.org"]


async def test_linking_proves_ownership_with_a_one_time_code_and_is_revocable(start_bot: Start) -> None:
    bot = await start_bot()
    asked = await bot.say(USER, "/lier")
    assert "identifiant" in asked.params["text"]
    sent = await bot.say(USER, "lucas.martin")
    assert "code à 6 chiffres" in sent.params["text"]
    assert [m.recipient for m in bot.mailer.sent] == ["lucas.martin@monlycee.net"]
    code = first_group(r"\b(\d{6})\b", bot.mailer.sent[-1].body)
    wrong = "000000" if code != "000000" else "111111"
    refused = await bot.say(USER, wrong)
    assert "pas le bon" in refused.params["text"]
    assert bot.services.links.linked_login(f"telegram:{USER}") is None
    linked = await bot.say(USER, code)
    assert "lucas.martin" in linked.params["text"]
    assert bot.services.links.linked_login(f"telegram:{USER}") == "lucas.martin"
    unlinked = await bot.say(USER, "/delier")
    assert "supprimé" in unlinked.params["text"]
    assert bot.services.links.linked_login(f"telegram:{USER}") is None


async def test_markup_in_user_text_is_sent_back_as_plain_text(start_bot: Start) -> None:
    bot = await start_bot()
    await bot.say(USER, "je veux parler a un conseiller <b>Jean</b> *gras* [lien](http://x)")
    posted = await bot.api.wait_for(
        lambda: [c for c in bot.api.sent("sendMessage", AGENTS) if "Demande n°" in c.params["text"]]
    )
    assert "<b>Jean</b> *gras* [lien](http://x)" in posted[0].params["text"]
    assert all("parse_mode" not in c.params for c in bot.api.sent("sendMessage"))


async def test_a_429_from_telegram_is_retried_and_the_reply_arrives(start_bot: Start) -> None:
    bot = await start_bot()
    bot.api.fail_next("sendMessage", "429")
    greeting = await bot.say(USER, "/start")
    assert greeting.params["text"].startswith("Bonjour")
    assert [c.method for c in bot.api.calls if c.method.startswith("sendMessage")][:2] == [
        "sendMessage!429",
        "sendMessage",
    ]


async def test_a_button_with_a_payload_over_64_bytes_still_works_after_a_restart(start_bot: Start) -> None:
    bot = await start_bot()
    payload = '/greet{"note": "' + "x" * 80 + '"}'
    assert len(payload.encode()) > 64
    mark = len(bot.api.calls)
    assert bot.services.relay.send(f"telegram:{USER}", [OutboundMessage("Un choix", (Button("Bonjour", payload),))])
    offer = await bot.api.next_reply(USER, mark)
    (data,) = [b["callback_data"] for row in offer.params["reply_markup"]["inline_keyboard"] for b in row]
    assert len(data.encode()) <= 64

    await bot.channel.stop()  # a restart: nothing is kept in memory
    restarted = await start_bot()
    greeting = await restarted.click(USER, offer, "Bonjour")
    assert greeting.params["text"].startswith("Bonjour")
    assert texts.text("telegram_button_expired") not in greeting.params["text"]


# -- an ADML -----------------------------------------------------------------------------------------
async def test_an_adml_resets_an_account_of_their_school_and_the_password_message_is_deleted_after_a_restart(
    start_bot: Start, clock: SettableClock
) -> None:
    bot = await start_bot()
    confirm = await bot.say(ADML, "/reinit lucas.martin")
    assert "Confirmez-vous" in confirm.params["text"]
    # the deletion is the job scheduler's business: it runs on the scheduler's own (wall) clock
    before = dt.datetime.now(dt.UTC)
    shown = await bot.click(ADML, confirm, "Confirmer la réinitialisation")
    after = dt.datetime.now(dt.UTC)
    password = re.search(r"provisoire : (\S+)", shown.params["text"])
    assert password, shown.params["text"]
    assert present(bot.services.directory.find_account("lucas.martin")).state.value == "reset"
    store = present(bot.channel.application.job_queue).scheduler
    jobs = store.get_jobs(jobstore="persistent")
    assert len(jobs) == 1
    due = jobs[0].next_run_time
    ttl = dt.timedelta(seconds=600)  # password_message_ttl_seconds
    stored = dt.timedelta(milliseconds=1)  # the job store keeps a float timestamp
    assert before + ttl - stored <= due <= after + ttl + stored  # 600 s after it was sent, whatever the load

    await bot.channel.stop()  # a restart: nothing is kept in memory
    restarted = await start_bot()
    scheduler = present(restarted.channel.application.job_queue).scheduler
    (job,) = scheduler.get_jobs(jobstore="persistent")
    assert job.id == jobs[0].id
    job.modify(next_run_time=dt.datetime.now(dt.UTC))
    scheduler.wakeup()
    deleted = await restarted.api.wait_for(lambda: restarted.api.sent("deleteMessage", ADML))
    assert [c.params["message_id"] for c in deleted] == [shown.result["message_id"]]  # the password message
    assert not scheduler.get_jobs(jobstore="persistent")


async def test_a_linked_user_opts_in_with_abonner_and_out_with_desabonner(
    start_bot: Start, clock: SettableClock
) -> None:
    bot = await start_bot()
    refused = await bot.say(USER, "/abonner")
    assert "/lier" in refused.params["text"] and buttons(refused) == ["Vérifier mon compte"]
    bot.services.links.link(f"telegram:{USER}", "lucas.martin", clock())
    subscribed = await bot.say(USER, "/abonner")
    assert "je vous préviendrai ici" in subscribed.params["text"] and buttons(subscribed) == ["Me désabonner"]
    assert bot.services.notices.is_subscribed(f"telegram:{USER}")
    unsubscribed = await bot.say(USER, "/desabonner")
    assert "vous ne recevrez plus" in unsubscribed.params["text"]
    assert not bot.services.notices.is_subscribed(f"telegram:{USER}")


async def test_an_adml_of_another_school_is_refused_and_nothing_changes(start_bot: Start) -> None:
    bot = await start_bot()
    refused = await bot.say(OTHER_ADML, "/reinit lucas.martin")
    assert "n'appartient pas à votre établissement" in refused.params["text"]
    assert present(bot.services.directory.find_account("lucas.martin")).state.value == "active"


async def test_an_adml_lists_unactivated_accounts_as_a_message_and_a_csv(start_bot: Start) -> None:
    bot = await start_bot()
    listing = await bot.say(ADML, "/nonactives")
    assert "marie.dupont" in listing.params["text"] and "sophie.garnier" in listing.params["text"]
    (document,) = await bot.api.wait_for(lambda: bot.api.sent("sendDocument", ADML))
    content = document.params["document"]["content"]
    assert content.startswith("uai;identifiant") and "marie.dupont" in content
    assert "hugo.petit" not in content  # another school


async def test_a_user_reset_request_is_approved_by_their_adml(start_bot: Start, clock: SettableClock) -> None:
    bot = await start_bot()
    bot.services.links.link(f"telegram:{USER}", "lucas.martin", clock())
    offer = await bot.say(USER, "j'ai oublie mon mot de passe")
    assert "administrateur ENT" in offer.params["text"]
    mark = len(bot.api.calls)
    confirmed = await bot.click(USER, offer, "Oui, transmettre")
    assert "est transmise à l'administrateur ENT" in confirmed.params["text"]  # "demande" alone: the catch-all too
    notice = await bot.api.next_reply(ADML, mark)
    assert "lucas.martin" in notice.params["text"] and buttons(notice) == ["Accepter", "Refuser"]
    mark = len(bot.api.calls)
    shown = await bot.click(ADML, notice, "Accepter")
    assert "provisoire" in shown.params["text"]
    told = await bot.api.next_reply(USER, mark)
    assert "acceptée" in told.params["text"]


# -- support agents ----------------------------------------------------------------------------------
async def test_a_ticket_is_worked_in_a_forum_topic_across_a_restart(start_bot: Start) -> None:
    bot = await start_bot()
    created = await bot.say(USER, "je veux parler a un humain svp")
    ticket_id = int(first_group(r"n°(\d+)", created.params["text"]))
    (_one_topic,) = await bot.api.wait_for(lambda: bot.api.sent("createForumTopic"))
    post = await bot.api.wait_for(
        lambda: next(
            (c for c in bot.api.sent("sendMessage", AGENTS) if f"Demande n°{ticket_id}" in c.params["text"]), None
        )
    )
    thread_id = int(post.params["message_thread_id"])
    assert buttons(post) == ["Prendre", "Fermer"]
    mark = len(bot.api.calls)
    await bot.handled(bot.api.click(AGENT, post, "Prendre"))
    taken = await bot.api.next_reply(USER, mark)
    assert "pris en charge" in taken.params["text"]

    await bot.channel.stop()
    bot = await start_bot()  # restart in the middle of the ticket

    mark = len(bot.api.calls)
    await bot.handled(
        bot.api.group_says(AGENTS, AGENT, "Bonjour, avez-vous essayé « Activer mon compte » ?", thread_id=thread_id)
    )
    relayed = await bot.api.next_reply(USER, mark)
    assert (
        relayed.params["text"]
        == f"Conseiller (demande n°{ticket_id}) : Bonjour, avez-vous essayé « Activer mon compte » ?"
    )

    mark = len(bot.api.calls)
    await bot.handled(bot.api.user_says(USER, "oui mais ca marche toujours pas"))  # its reply is sent before the mark
    forwarded = await bot.api.next_reply(AGENTS, mark)
    assert forwarded.params["message_thread_id"] == thread_id
    assert "ca marche toujours pas" in forwarded.params["text"]

    mark = len(bot.api.calls)
    bot.api.group_says(AGENTS, AGENT, "/fermer", thread_id=thread_id)
    rating = await bot.api.next_reply(USER, mark)
    assert "close" in rating.params["text"] and buttons(rating) == ["1", "2", "3", "4", "5"]
    thanks = await bot.click(USER, rating, "5")
    assert "Merci pour votre avis" in thanks.params["text"]
    ticket = bot.services.tickets.get(ticket_id)
    assert ticket is not None and ticket.status == "closed" and ticket.rating == 5
    status = await bot.say(USER, "/statut")
    assert f"n°{ticket_id}" in status.params["text"] and "close" in status.params["text"]


async def test_in_a_group_without_topics_agents_answer_by_replying_to_the_ticket(start_bot: Start) -> None:
    bot = await start_bot()
    bot.api.forum_chats.clear()
    await bot.say(USER, "un conseiller svp")
    post = await bot.api.wait_for(
        lambda: next((c for c in bot.api.sent("sendMessage", AGENTS) if "Demande n°" in c.params["text"]), None)
    )
    post_index = bot.api.calls.index(post)
    await bot.api.wait_for(lambda: present(bot.services.tickets.latest_for(f"telegram:{USER}")).topic_ref)
    ref = present(bot.services.tickets.latest_for(f"telegram:{USER}")).topic_ref
    assert ref is not None and ref.startswith("msg:")
    mark = len(bot.api.calls)
    bot.api.group_says(AGENTS, AGENT, "Je regarde votre compte.", reply_to=int(ref.removeprefix("msg:")))
    relayed = await bot.api.next_reply(USER, mark)
    assert relayed.params["text"].endswith("Je regarde votre compte.")
    assert post_index < mark


async def test_a_server_error_from_telegram_is_retried(start_bot: Start) -> None:
    bot = await start_bot()
    bot.api.fail_next("sendMessage", "500")
    greeting = await bot.say(USER, "/aide")
    assert "Décrivez votre problème" in greeting.params["text"]


async def test_webhook_mode_serves_updates_on_the_assistant_web_server(
    api: FakeBotApi, config: AppConfig, clock: SettableClock, database_url: str, nlu: NluModel
) -> None:
    import aiohttp

    from bot.channels.web import build_web_app, start_web

    port = free_port()
    settings = TelegramSettings(
        mode="webhook",
        webhook_url="https://clef.example.org/telegram/webhook",
        base_url=f"http://127.0.0.1:{api.port}/bot",
    )
    services = build_services(config, clock=clock, database_url=database_url)
    channel = TelegramChannel(build_assistant(services, nlu), TOKEN, settings)
    runner = await start_web(build_web_app(channel.assistant, channel.web_routes()), "127.0.0.1", port)
    await channel.start()
    try:
        (registered,) = api.sent("setWebhook")
        assert registered.params["url"] == "https://clef.example.org/telegram/webhook"
        secret = registered.params["secret_token"]
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": USER, "type": "private"},
                "text": "bonjour",
                "from": {"id": USER, "is_bot": False, "first_name": "Usager"},
            },
        }
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/telegram/webhook"
            forged = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert forged.status == 403
            accepted = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            assert accepted.status == 200
        reply = await api.next_reply(USER, 0)
        assert reply.params["text"].startswith("Bonjour")
        assert api.polls == 0  # no long polling in webhook mode
    finally:
        await channel.stop()
        await runner.cleanup()
        services.database.dispose()


async def test_desk_buttons_from_outside_the_agents_group_do_nothing(start_bot: Start) -> None:
    bot = await start_bot()
    created = await bot.say(USER, "je veux parler a un humain")
    ticket_id = int(first_group(r"n°(\d+)", created.params["text"]))
    forged = Call(
        "sendMessage",
        {
            "chat_id": USER,
            "text": "x",
            "reply_markup": {"inline_keyboard": [[{"text": "Fermer", "callback_data": f"desk:close:{ticket_id}"}]]},
        },
    )
    refused = await bot.click(USER, forged, "Fermer")
    assert "réservé à l'équipe support" in refused.params["text"]
    ticket = bot.services.tickets.get(ticket_id)
    assert ticket is not None and ticket.status == "open"


async def test_a_reply_kept_while_telegram_failed_is_delivered_with_the_next_one(start_bot: Start) -> None:
    bot = await start_bot()
    bot.api.fail_next("sendMessage", "500", times=4)  # every attempt at this reply fails
    await bot.handled(bot.api.user_says(USER, "/aide"))
    assert len(bot.api.sent("sendMessage!500")) == 4
    mark = len(bot.api.calls)
    bot.api.user_says(USER, "bonjour")
    kept = await bot.api.next_reply(USER, mark)
    assert "Décrivez votre problème" in kept.params["text"]  # the kept reply first, then the new one
    greeting = await bot.api.wait_for(
        lambda: next(
            (c for c in bot.api.calls[mark:] if c.method == "sendMessage" and c.params["text"].startswith("Bonjour")),
            None,
        )
    )
    assert bot.api.calls.index(greeting) > bot.api.calls.index(kept)


async def test_an_adml_unlocks_an_account_of_their_school(start_bot: Start) -> None:
    bot = await start_bot()
    confirm = await bot.say(OTHER_ADML, "/debloquer emma.leroy")
    assert "Confirmez-vous le déblocage du compte emma.leroy" in confirm.params["text"]
    done = await bot.click(OTHER_ADML, confirm, "Confirmer le déblocage")
    assert "emma.leroy est débloqué" in done.params["text"]
    account = bot.services.directory.find_account("emma.leroy")
    assert account is not None and account.locked_until is None
    audit = [(e.operation, e.outcome, e.actor_login) for e in bot.services.audit.recent()]
    assert ("unlock_account", "done", "claire.lambert") in audit


async def test_agents_are_reminded_in_the_topic_of_a_ticket_nobody_took(start_bot: Start, clock: SettableClock) -> None:
    from bot.scheduler import remind

    bot = await start_bot()
    await bot.say(USER, "je veux parler a un humain")
    await bot.api.wait_for(lambda: present(bot.services.tickets.latest_for(f"telegram:{USER}")).topic_ref)
    clock.advance(minutes=61)
    mark = len(bot.api.calls)
    await asyncio.to_thread(remind, bot.services)
    note = await bot.api.next_reply(AGENTS, mark)
    assert note.params["text"].startswith("Rappel : la demande n°") and buttons(note) == ["Prendre"]
    assert "message_thread_id" in note.params
    told = await bot.api.next_reply(USER, mark)
    assert "toujours en attente" in told.params["text"]


async def test_a_message_telegram_refuses_for_good_does_not_block_the_next_replies(start_bot: Start) -> None:
    bot = await start_bot()
    bot.api.fail_next("sendMessage", "400")
    await bot.handled(bot.api.user_says(USER, "/aide"))
    assert len(bot.api.sent("sendMessage!400")) == 1
    greeting = await bot.say(USER, "bonjour")
    assert greeting.params["text"].startswith("Bonjour")
    assert not any("Décrivez votre problème" in c.params.get("text", "") for c in bot.api.sent("sendMessage", USER))
    assert len(bot.api.sent("sendMessage!400")) == 1  # not retried


async def test_a_provisional_password_that_fails_to_send_is_never_sent_again(start_bot: Start) -> None:
    bot = await start_bot()
    confirm = await bot.say(ADML, "/reinit lucas.martin")
    bot.api.fail_next("sendMessage", "500")
    mark = len(bot.api.calls)
    await bot.handled(bot.api.click(ADML, confirm, "Confirmer la réinitialisation"))
    assert [c for c in bot.api.calls[mark:] if c.method == "sendMessage!500"]
    assert present(bot.services.directory.find_account("lucas.martin")).state.value == "reset"
    after = await bot.say(ADML, "merci")
    assert "provisoire :" not in after.params["text"]
    tries = [c for c in bot.api.calls[mark:] if "provisoire :" in c.params.get("text", "")]
    assert [c.method for c in tries] == ["sendMessage!500"]  # one attempt, no retry, nothing kept


async def test_the_chats_and_users_met_are_not_kept_in_memory(start_bot: Start) -> None:
    """python-telegram-bot would keep every chat and user id it met, for a persistence this channel has not."""
    bot = await start_bot()
    for user in range(USER, USER + 5):
        greeting = await bot.say(user, "bonjour")
        assert greeting.params["text"].startswith("Bonjour")
    application = bot.channel.application
    assert application._chat_ids_to_be_updated_in_persistence == set()
    assert application._user_ids_to_be_updated_in_persistence == set()
