"""Telegram channel (python-telegram-bot v22): users, ADMLs and the support agents' group.

- Every user message and button click goes to `Assistant.handle` as `telegram:<user id>`; replies are
  sent as plain text (never parsed as Markdown or HTML, so a name can't inject markup), split under
  Telegram's 4,096-character limit, with the buttons as an inline keyboard on the last part. The
  keyboard is removed once a button is clicked.
- Buttons are routed by their callback data, one `CallbackQueryHandler(pattern=…)` each: `desk:take:<id>`
  and `desk:close:<id>` (agents), `p:<key>` (a payload over Telegram's 64 bytes, kept in SQL by
  `ButtonPayloadStore` so that it still works after a restart), and any other data is the assistant
  payload itself.
- A link button (the ENT's CAS login, offered by /lier) is an inline URL button; the CAS sends the browser back to
  the web server's `/cas/callback`, which tells the chat here (the relay's deliverer).
- Commands: /start (deep links `lier`, `statut`, `aide`), /aide, /annuler, /lier, /delier, /statut, /abonner,
  /desabonner (notices: `bot.services.notices`);
  ADMLs: /reinit LOGIN, /debloquer LOGIN, /nonactives; agents, in a ticket's topic: /fermer.
- Agents: the group `telegram.agents_chat_id`; each ticket gets a forum topic when the group allows it
  (else a message that agents reply to). Whatever an agent writes there reaches the user; the user's
  next messages reach the topic while the ticket is open. Agents are the users listed in
  `telegram.agent_user_ids`, or anyone writing in the agents' group (membership is the identity).
- A message carrying a provisional password is deleted after `password_message_ttl_seconds` by a job
  of PTB's JobQueue, kept in an APScheduler SQLAlchemy job store so a restart forgets nothing.
- Bot API errors: `AIORateLimiter` keeps under Telegram's limits and retries on 429 RetryAfter; network
  errors and timeouts are retried; a reply that still can't be sent waits in the chat's relay inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from aiohttp import web
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Job,
    MessageHandler,
    filters,
)

from bot import texts
from bot.channels.loop import run_on
from bot.config import TelegramSettings
from bot.core.authz import Actor
from bot.messages import Button, InboundMessage, OutboundMessage
from bot.services.assistant import Assistant
from bot.services.desk import DeskRefused, TicketDesk
from bot.storage.tickets import TicketView

log = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "telegram"
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
JOBSTORE = "persistent"
DESK_CLICK = re.compile(r"^desk:(take|close):(\d+)$")
STORED_CLICK = re.compile(r"^p:([0-9a-f]+)$")
PAYLOAD_CLICK = re.compile(r"^(?!desk:|p:)")  # the assistant payload itself
SEND_ATTEMPTS = 4

COMMAND_PAYLOADS = {
    "aide": "/help",
    "annuler": "/cancel",
    "lier": "/link_account",
    "delier": "/unlink_account",
    "statut": "/ticket_status",
    "nonactives": "/list_unactivated",
    "abonner": "/subscribe",
    "desabonner": "/unsubscribe",
}
START_LINKS = {"lier": "/link_account", "statut": "/ticket_status", "aide": "/help"}

_channels: dict[str, TelegramChannel] = {}


class _Application(Application[Any, Any, Any, Any, Any, Any]):
    """python-telegram-bot's application, less a leak: without a persistence (this channel keeps nothing in one)
    it still adds the chat and the user of every update to its sets of those to write to the persistence, which
    only a persistence ever empties (22.x): one entry for every chat and user seen since the start. The marks are
    made for a persistence only."""

    def _mark_for_persistence_update(self, *, update: object | None = None, job: Job[Any] | None = None) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Parts of at most `limit` characters, cut at a paragraph, a line or a word when there is one."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def command_payload(command: str, args: list[str]) -> str | None:
    """The assistant payload of a Telegram command, or None when it is not one of ours."""
    if command == "nonactives" and args:  # an agent (or an ADML of several schools) names the school
        return f"/list_unactivated{json.dumps({'uai': args[0][:16].upper()})}"
    if command in COMMAND_PAYLOADS:
        return COMMAND_PAYLOADS[command]
    if command in ("reinit", "debloquer"):
        intent = "request_reset" if command == "reinit" else "unlock_account"
        if not args:
            return f"/{intent}"
        return f"/{intent}{json.dumps({'username': args[0][:64]})}"
    if command == "start":
        return START_LINKS.get(args[0] if args else "", "/greet")
    return None


async def delete_message_job(channel_key: str, chat_id: int, message_id: int) -> None:
    """A persisted job: delete a message that carried a provisional password."""
    channel = _channels.get(channel_key)
    if channel is None:
        raise RuntimeError("Telegram channel not running; the job will be retried at the next start")
    try:
        await channel.application.bot.delete_message(chat_id, message_id)
    except BadRequest as exc:  # already deleted by the user, or too old
        log.info("message %s in %s not deleted: %s", message_id, chat_id, exc)


class TelegramChannel:
    def __init__(self, assistant: Assistant, token: str, settings: TelegramSettings) -> None:
        self.assistant = assistant
        self.services = assistant.services
        self.settings = settings
        self.desk = TicketDesk(self.services)
        self.key = hashlib.sha256(token.encode()).hexdigest()[:16]
        self.payloads = self.services.button_payloads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._webhook_secret = secrets.token_urlsafe(32)
        builder = (
            Application.builder()
            .application_class(_Application)
            .token(token)
            .rate_limiter(AIORateLimiter(max_retries=3))
        )
        if settings.base_url:
            builder = builder.base_url(settings.base_url).base_file_url(settings.base_url.replace("/bot", "/file/bot"))
        if settings.mode == "webhook":
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self._add_handlers()
        self.services.relay.register(PREFIX, self._deliver_from_any_thread)
        self.services.ticket_listeners.append(self._on_ticket)
        self.services.user_message_listeners.append(self._on_user_message)
        self.services.reminder_listeners.append(self._on_reminder)

    # -- life cycle --------------------------------------------------------------------------------
    def web_routes(self) -> list[web.RouteDef]:
        """The webhook endpoint, served by the assistant's web server (webhook mode only)."""
        if self.settings.mode != "webhook":
            return []
        return [web.post("/telegram/webhook", self._webhook)]

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _channels[self.key] = self
        job_queue = self.application.job_queue
        assert job_queue is not None, "python-telegram-bot must be installed with its job-queue extra"
        job_queue.scheduler.add_jobstore(
            SQLAlchemyJobStore(engine=self.services.database, tablename="telegram_jobs"), alias=JOBSTORE
        )
        await self.application.initialize()
        await self.application.start()
        if self.settings.mode == "webhook":
            assert self.settings.webhook_url is not None
            await self.application.bot.set_webhook(
                str(self.settings.webhook_url), secret_token=self._webhook_secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
            )

    async def stop(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        _channels.pop(self.key, None)
        self.services.relay.deliverers.pop(PREFIX, None)
        _forget(self.services.ticket_listeners, self._on_ticket)
        _forget(self.services.user_message_listeners, self._on_user_message)
        _forget(self.services.reminder_listeners, self._on_reminder)

    async def _webhook(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self._webhook_secret:
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, KeyError):
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    # -- handlers ------------------------------------------------------------------------------------
    def _add_handlers(self) -> None:
        app = self.application
        app.add_handler(CallbackQueryHandler(self._on_desk_click, pattern=DESK_CLICK))
        app.add_handler(CallbackQueryHandler(self._on_stored_click, pattern=STORED_CLICK))
        app.add_handler(CallbackQueryHandler(self._on_payload_click, pattern=PAYLOAD_CLICK))
        app.add_handler(CommandHandler("fermer", self._on_close_command))
        app.add_handler(MessageHandler(filters.COMMAND, self._on_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._on_text))
        app.add_error_handler(self._on_error)

    def _is_agents_chat(self, chat_id: int | None) -> bool:
        return chat_id is not None and chat_id == self.settings.agents_chat_id

    def _agent_actor(self, user_id: int, chat_id: int | None) -> Actor | None:
        """The agent behind an update from the agents' group or a configured agent; None for anyone else."""
        actor = self.services.actor(f"{PREFIX}:{user_id}")
        if actor.is_agent:
            return actor
        return replace(actor, is_agent=True) if self._is_agents_chat(chat_id) else None

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or message.text is None:
            return
        if self._is_agents_chat(message.chat_id):
            await self._on_agent_text(message, user.id)
            return
        if message.chat.type != ChatType.PRIVATE:
            return
        await self._converse(user.id, message.chat_id, message.text)

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not message.text or message.chat.type != ChatType.PRIVATE:
            return
        word, *args = message.text[1:].split()
        payload = command_payload(word.split("@", 1)[0].lower(), args)
        if payload is None:
            await self._send(message.chat_id, [OutboundMessage(texts.text("telegram_unknown_command"))])
            return
        await self._converse(user.id, message.chat_id, payload)

    async def _acknowledge(self, update: Update) -> tuple[int, int, int | None]:
        """Answer a click and remove its keyboard; (user id, chat id, thread id) of the click."""
        query = update.callback_query
        assert query is not None  # a CallbackQueryHandler only runs for callback queries
        await self._retrying(query.answer)
        message = query.message
        if message is None:
            return query.from_user.id, query.from_user.id, None
        with contextlib.suppress(BadRequest):  # the keyboard is already gone
            await self._retrying(partial(query.edit_message_reply_markup, reply_markup=None))
        return query.from_user.id, message.chat.id, getattr(message, "message_thread_id", None)

    async def _on_payload_click(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user_id, chat_id, _ = await self._acknowledge(update)
        assert update.callback_query is not None and update.callback_query.data is not None
        await self._converse(user_id, chat_id, update.callback_query.data)

    async def _on_stored_click(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button whose payload was too long for Telegram: read it back from the store."""
        user_id, chat_id, _ = await self._acknowledge(update)
        assert context.matches
        payload = await asyncio.to_thread(self.payloads.get, context.matches[0].group(1))
        if payload is None:
            await self._send(chat_id, [OutboundMessage(texts.text("telegram_button_expired"))])
            return
        await self._converse(user_id, chat_id, payload)

    async def _converse(self, user_id: int, chat_id: int, text: str) -> None:
        sender = f"{PREFIX}:{user_id}"
        result = await asyncio.to_thread(self.assistant.handle, InboundMessage(sender, text))
        waiting = await asyncio.to_thread(self.services.relay.take, sender)  # kept while Telegram was unreachable
        await self._send(chat_id, waiting + result.messages, keep_for=sender)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed", exc_info=context.error)

    # -- agents ----------------------------------------------------------------------------------------
    def _ticket_of(self, message: Message) -> TicketView | None:
        if message.is_topic_message and message.message_thread_id is not None:
            return self.services.tickets.by_topic(f"topic:{message.message_thread_id}")
        if message.reply_to_message is not None:
            return self.services.tickets.by_topic(f"msg:{message.reply_to_message.message_id}")
        return None

    async def _on_agent_text(self, message: Message, user_id: int) -> None:
        ticket = self._ticket_of(message)
        if ticket is None or message.text is None:
            return
        actor = self._agent_actor(user_id, message.chat_id)
        if actor is None:
            return
        try:
            await asyncio.to_thread(self.desk.reply, actor, ticket.id, message.text, PREFIX)
        except DeskRefused as exc:
            await self._send(
                message.chat_id,
                [OutboundMessage(texts.text("telegram_reply_not_sent", reason=exc))],
                thread_id=message.message_thread_id,
            )

    async def _on_close_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not self._is_agents_chat(message.chat_id):
            return
        ticket = self._ticket_of(message)
        if ticket is None:
            await self._send(message.chat_id, [OutboundMessage(texts.text("telegram_close_outside_ticket"))])
            return
        await self._desk_action(message.chat_id, message.message_thread_id, "close", ticket.id, user.id)

    async def _on_desk_click(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user_id, chat_id, thread_id = await self._acknowledge(update)
        assert context.matches
        action, ticket_id = context.matches[0].groups()
        await self._desk_action(chat_id, thread_id, action, int(ticket_id), user_id)

    async def _desk_action(
        self, chat_id: int, thread_id: int | None, action: str, ticket_id: int, user_id: int
    ) -> None:
        actor = self._agent_actor(user_id, chat_id)
        if actor is None:
            await self._send(chat_id, [OutboundMessage(texts.text("telegram_agents_only"))], thread_id=thread_id)
            return
        try:
            if action == "take":
                await asyncio.to_thread(self.desk.take, actor, ticket_id, PREFIX)
                text = texts.text("telegram_ticket_taken", ticket_id=ticket_id)
                buttons: tuple[Button, ...] = (Button(texts.text("button_close_ticket"), f"desk:close:{ticket_id}"),)
            else:
                await asyncio.to_thread(self.desk.close, actor, ticket_id, PREFIX)
                text, buttons = texts.text("telegram_ticket_closed", ticket_id=ticket_id), ()
        except DeskRefused as exc:
            text, buttons = texts.text("telegram_desk_refused", reason=exc), ()
        await self._send(chat_id, [OutboundMessage(text, buttons)], thread_id=thread_id)

    def _on_ticket(self, ticket: TicketView) -> None:
        """A new ticket (called from a worker thread): post it to the agents' group."""
        if self.settings.agents_chat_id is None or self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._post_ticket(ticket), self._loop)

    async def _post_ticket(self, ticket: TicketView) -> None:
        chat_id = self.settings.agents_chat_id
        assert chat_id is not None
        missing = texts.text("telegram_ticket_post_missing")
        text = texts.text(
            "telegram_ticket_post",
            ticket_id=ticket.id,
            channel=ticket.channel,
            tenant=ticket.tenant or texts.text("telegram_ticket_post_unknown_tenant"),
            login=ticket.login or missing,
            diagnosis=ticket.diagnosis or missing,
            summary=ticket.summary,
            transcript=ticket.transcript,
        )
        buttons = (
            Button(texts.text("button_take_ticket"), f"desk:take:{ticket.id}"),
            Button(texts.text("button_close_ticket"), f"desk:close:{ticket.id}"),
        )
        thread_id: int | None = None
        try:
            topic = await self._retrying(
                lambda: self.application.bot.create_forum_topic(
                    chat_id, texts.text("telegram_ticket_topic", ticket_id=ticket.id)
                )
            )
            thread_id = topic.message_thread_id
        except BadRequest:
            thread_id = None  # not a forum: the ticket is a message that agents reply to
        sent = await self._send(chat_id, [OutboundMessage(text, buttons)], thread_id=thread_id)
        if thread_id is not None:
            ref = f"topic:{thread_id}"
        elif sent:
            ref = f"msg:{sent[0].message_id}"
        else:
            return
        await asyncio.to_thread(self.services.tickets.set_topic, ticket.id, ref, self.services.now())

    def _on_user_message(self, ticket: TicketView, text: str) -> None:
        """The user wrote while their ticket is open (worker thread): forward it to the ticket's topic."""
        self._post_in_topic(ticket, OutboundMessage(texts.text("telegram_user_wrote", ticket_id=ticket.id, text=text)))

    def _on_reminder(self, ticket: TicketView) -> None:
        """Nobody took the ticket in time (scheduler): say so in its topic, with the Prendre button again."""
        self._post_in_topic(
            ticket,
            OutboundMessage(
                texts.text(
                    "telegram_ticket_reminder",
                    ticket_id=ticket.id,
                    minutes=self.services.config.assistant.ticket_reminder_minutes,
                ),
                (Button(texts.text("button_take_ticket"), f"desk:take:{ticket.id}"),),
            ),
        )

    def _post_in_topic(self, ticket: TicketView, note: OutboundMessage) -> None:
        if self.settings.agents_chat_id is None or self._loop is None or not ticket.topic_ref:
            return
        kind, _, ref = ticket.topic_ref.partition(":")
        thread_id = int(ref) if kind == "topic" else None
        reply_to = int(ref) if kind == "msg" else None
        asyncio.run_coroutine_threadsafe(
            self._send(self.settings.agents_chat_id, [note], thread_id=thread_id, reply_to=reply_to), self._loop
        )

    # -- sending ---------------------------------------------------------------------------------------
    def _deliver_from_any_thread(self, sender_id: str, messages: list[OutboundMessage]) -> bool:
        """The relay's deliverer for `telegram:` chats; a private chat's id is its user's id."""
        user = sender_id.removeprefix(f"{PREFIX}:")
        if self._loop is None or not user.lstrip("-").isdigit():
            return False
        run_on(self._loop, self._send(int(user), messages, keep_for=sender_id))
        return True

    def _keyboard(self, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
        """The inline keyboard of these buttons; a payload over Telegram's limit is stored, the button gets its key.
        A link (the CAS login) is a URL button: Telegram opens it, no click comes back."""
        if not buttons:
            return None
        rows = []
        for button in buttons:
            if button.url is not None:
                rows.append([InlineKeyboardButton(button.title[:64], url=button.url)])
                continue
            data = button.payload
            if len(data.encode()) > CALLBACK_LIMIT:
                data = f"p:{self.payloads.keep(data)}"
            rows.append([InlineKeyboardButton(button.title[:64], callback_data=data)])
        return InlineKeyboardMarkup(rows)

    async def _send(
        self,
        chat_id: int,
        messages: list[OutboundMessage],
        thread_id: int | None = None,
        reply_to: int | None = None,
        keep_for: str | None = None,
    ) -> list[Message]:
        """Send each message (plain text, split, keyboard on its last part).

        What could not be sent for a passing reason (network, Telegram down) is kept for the chat, from the
        first part not sent on. A message Telegram refuses for good (BadRequest, a blocked bot) is dropped, so
        it cannot block the replies after it. A provisional password is sent once, never retried after a
        timeout nor kept: a timeout may hide a delivery, and a second copy would escape its deletion.
        """
        bot = self.application.bot
        sent: list[Message] = []
        for index, outbound in enumerate(messages):
            parts = split_text(outbound.text) if outbound.text else []
            number = 0
            try:
                keyboard = await asyncio.to_thread(self._keyboard, outbound.buttons)
                for number, part in enumerate(parts):
                    last = number == len(parts) - 1

                    def send_part(
                        part: str = part, last: bool = last, keyboard: InlineKeyboardMarkup | None = keyboard
                    ) -> Awaitable[Message]:
                        return bot.send_message(
                            chat_id,
                            part,
                            reply_markup=keyboard if last else None,
                            message_thread_id=thread_id,
                            reply_to_message_id=reply_to,
                        )

                    message = await self._retrying(send_part, retry_timeouts=not outbound.sensitive)
                    sent.append(message)
                    if outbound.sensitive:
                        self._schedule_deletion(chat_id, message.message_id)
                number = len(parts)
                if outbound.document is not None:
                    name, content = outbound.document
                    document = await self._retrying(
                        partial(
                            bot.send_document,
                            chat_id,
                            InputFile(content.encode("utf-8"), filename=name),
                            message_thread_id=thread_id,
                        )
                    )
                    sent.append(document)
            except (BadRequest, Forbidden) as exc:
                log.warning("Telegram refused a message to %s for good, dropped: %s", chat_id, exc)
                continue
            except NetworkError as exc:
                log.warning("Telegram message to %s not sent: %s", chat_id, exc)
                if keep_for is not None:
                    rest = [m for m in messages[index + 1 :] if not m.sensitive]
                    if not outbound.sensitive:
                        unsent = "\n".join(parts[number:])
                        rest.insert(0, replace(outbound, text=unsent) if unsent else replace(outbound, text=""))
                    self.services.relay.keep(keep_for, [m for m in rest if m.text or m.document])
                break
        return sent

    async def _retrying(self, call: Callable[[], Awaitable[T]], retry_timeouts: bool = True) -> T:
        """Retry 429s (beyond the rate limiter's own retries), and network errors and timeouts unless told not to."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                return await call()
            except RetryAfter as exc:
                if attempt == SEND_ATTEMPTS:
                    raise
                delay = exc.retry_after
                await asyncio.sleep(delay.total_seconds() if isinstance(delay, dt.timedelta) else float(delay))
            except (TimedOut, NetworkError) as exc:
                if attempt == SEND_ATTEMPTS or isinstance(exc, (BadRequest, Forbidden)) or not retry_timeouts:
                    raise
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _schedule_deletion(self, chat_id: int, message_id: int) -> None:
        job_queue = self.application.job_queue
        assert job_queue is not None
        run_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.settings.password_message_ttl_seconds)
        job_queue.scheduler.add_job(
            delete_message_job,
            "date",
            run_date=run_at,
            args=[self.key, chat_id, message_id],
            jobstore=JOBSTORE,
            id=f"delete-{chat_id}-{message_id}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )


def _forget(listeners: list[T], callback: T) -> None:
    """Unregister `callback` from `listeners` if it is there."""
    if callback in listeners:
        listeners.remove(callback)
