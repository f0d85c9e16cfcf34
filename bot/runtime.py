"""`python -m bot run`: the web chat, Telegram when a token is set, and the scheduler, in one process.

Several such processes may share one PostgreSQL database: any of them serves any message (turns of one chat are
ordered by the chat's lock in the database, `bot.storage.locks`), and the one holding the scheduler's lease runs
the scheduled jobs (`bot.scheduler_lease`).

The garbage collector is off while the process starts (`python -m bot run` turns it off before its imports: a
sixth of the start-up went to collections of what start-up builds to keep), then `settle` moves everything out
of the collector's reach (`gc.freeze`) and turns it back on: a full collection during a turn then looks at what
the turns made, not at the ~130,000 objects of the modules, the model and the knowledge (one took 115–240 ms
on the project's machine, and a 240 ms pause in a turn was seen). The little garbage start-up leaves (a few
thousand objects) is frozen with the rest rather than collected: collecting it would cost a full collection's
time at every start.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

from aiohttp import web

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import build_web_app, start_web
from bot.config import AppConfig, secret
from bot.helpdesk.build import webhook_secret as helpdesk_webhook_secret
from bot.scheduler import run_soon
from bot.scheduler_lease import LeasedScheduler
from bot.services import Services

log = logging.getLogger(__name__)


async def serve(config: AppConfig) -> None:
    services = build_services(config)
    assistant = build_assistant(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    jobs = None
    if config.assistant.run_scheduler:
        leased = LeasedScheduler(services, config.assistant.scheduler_lease_seconds)
        jobs = asyncio.create_task(leased.run(stop))
        _sync_helpdesk_soon(services, leased, loop)
    telegram = None
    extra_routes = []
    token = secret(config.telegram.token_env)
    if token:
        from bot.channels.telegram import TelegramChannel

        telegram = TelegramChannel(assistant, token, config.telegram)
        extra_routes = telegram.web_routes()
    extra_routes += _helpdesk_routes(services)
    runner, app = None, None
    if config.web.enabled:
        app = build_web_app(assistant, extra_routes, agent_token=secret(config.web.agent_token_env))
    settle()  # before the first message: what start-up built is kept, out of the collector's reach
    if app is not None:
        runner = await start_web(app, config.web.host, config.web.port)
        log.info("web chat on http://%s:%d", config.web.host, config.web.port)
    if telegram is not None:
        await telegram.start()
        log.info("Telegram started (%s)", config.telegram.mode)
    else:
        log.info("Telegram is off: set %s to start it", config.telegram.token_env)
    try:
        await stop.wait()
    finally:
        if telegram is not None:
            await telegram.stop()
        if runner is not None:
            await runner.cleanup()
        if jobs is not None:
            stop.set()
            await jobs
        services.outbox.close()
        services.conversation_locks.dispose()
        services.database.dispose()


def _helpdesk_routes(services: Services) -> list[web.RouteDef]:
    """The helpdesk's webhook route, when a helpdesk and its webhooks' secret are configured."""
    secret = helpdesk_webhook_secret(services.config.helpdesk)
    if services.helpdesk is None or secret is None:
        return []
    from bot.channels.helpdesk_web import helpdesk_routes

    return helpdesk_routes(services, services.helpdesk, secret)


def _sync_helpdesk_soon(services: Services, leased: LeasedScheduler, loop: asyncio.AbstractEventLoop) -> None:
    """An escalation, a user's message to a ticket: the helpdesk's job runs now, not at its next poll, when this
    instance runs the jobs (else the instance that does reads the helpdesk as planned)."""
    if services.helpdesk is None:
        return

    def now() -> None:
        if leased.scheduler is not None:
            run_soon(leased.scheduler, ["sync_helpdesk"], services.now())

    def soon(*_: object) -> None:
        loop.call_soon_threadsafe(now)  # listeners are called from the turns' threads

    services.ticket_listeners.append(soon)
    services.user_message_listeners.append(soon)


def settle() -> None:
    """The end of start-up: what it built frozen (never traversed again by a collection), the collector on."""
    gc.freeze()
    gc.enable()


def run(config: AppConfig) -> int:
    asyncio.run(serve(config))
    return 0
