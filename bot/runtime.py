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
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import build_web_app, start_web
from bot.config import AppConfig, secret
from bot.errors import ConfigError
from bot.helpdesk.build import webhook_secret as helpdesk_webhook_secret
from bot.scheduler import run_soon
from bot.scheduler_lease import LeasedScheduler
from bot.services import Services
from bot.services.assistant import Assistant
from bot.web_workers import WebWorkers

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)


async def serve(config: AppConfig, config_file: Path | None = None, web_worker: bool = False) -> None:
    """The instance's first process (`config_file` names its configuration for the web workers it starts), or one
    of its web workers (`web_worker`: the web chat only)."""
    services = build_services(config)
    assistant = build_assistant(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if web_worker:
            await _serve_web_only(config, assistant, services, stop)
        else:
            await _serve_first(config, config_file, assistant, services, stop)
    finally:
        services.outbox.close()
        services.conversation_locks.dispose()
        services.database.dispose()


async def _serve_first(
    config: AppConfig, config_file: Path | None, assistant: Assistant, services: Services, stop: asyncio.Event
) -> None:
    """The first process: the scheduled jobs (when it holds the lease), Telegram, the web chat and its workers."""
    workers = _web_workers(config, config_file)
    jobs = None
    if config.assistant.run_scheduler:
        leased = LeasedScheduler(services, config.assistant.scheduler_lease_seconds)
        jobs = asyncio.create_task(leased.run(stop))
        _sync_helpdesk_soon(services, leased, asyncio.get_running_loop())
    telegram = _telegram(config, assistant)
    extra_routes = (telegram.web_routes() if telegram else []) + _helpdesk_routes(services)
    app = None
    if config.web.enabled:
        app = build_web_app(assistant, extra_routes, agent_token=secret(config.web.agent_token_env))
    settle()  # before the first message: what start-up built is kept, out of the collector's reach
    runner, supervising = None, None
    if app is not None:
        runner = await start_web(app, config.web.host, config.web.port, reuse_port=workers is not None)
        log.info("web chat on http://%s:%d", config.web.host, config.web.port)
        if workers is not None:
            workers.start()
            supervising = asyncio.create_task(workers.supervise(stop))
    if telegram is not None:
        await telegram.start()
        log.info("Telegram started (%s)", config.telegram.mode)
    else:
        log.info("Telegram is off: set %s to start it", config.telegram.token_env)
    try:
        await stop.wait()
    finally:
        stop.set()  # also when start-up failed half-way: the jobs and the workers end too
        if telegram is not None:
            await telegram.stop()
        if supervising is not None:
            await supervising
        if runner is not None:
            await runner.cleanup()
        if jobs is not None:
            await jobs


def _web_workers(config: AppConfig, config_file: Path | None) -> WebWorkers | None:
    """The other web workers of `web.workers`, when there are any."""
    if not config.web.enabled or config.web.workers == 1:
        return None
    if config_file is None or config.web.port == 0:
        raise ConfigError("web.workers > 1 needs a configuration file and a fixed web.port, shared by the workers")
    return WebWorkers(config_file, config.web.workers - 1)


def _telegram(config: AppConfig, assistant: Assistant) -> TelegramChannel | None:
    """The Telegram channel, when its token is set (imported only then)."""
    token = secret(config.telegram.token_env)
    if not token:
        return None
    from bot.channels.telegram import TelegramChannel

    return TelegramChannel(assistant, token, config.telegram)


async def _serve_web_only(config: AppConfig, assistant: Assistant, services: Services, stop: asyncio.Event) -> None:
    """A web worker: the web chat on the instance's port beside the first process, until told to stop."""
    app = build_web_app(assistant, _helpdesk_routes(services), agent_token=secret(config.web.agent_token_env))
    settle()
    runner = await start_web(app, config.web.host, config.web.port, reuse_port=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


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


def run(config: AppConfig, config_file: Path | None = None, web_worker: bool = False) -> int:
    asyncio.run(serve(config, config_file, web_worker))
    return 0
