"""`python -m bot run`: the web chat, Telegram when a token is set, and the scheduler, in one process.

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

from bot.bootstrap import build_assistant, build_services
from bot.channels.web import build_web_app, start_web
from bot.config import AppConfig, secret
from bot.scheduler import build_scheduler

log = logging.getLogger(__name__)


async def serve(config: AppConfig) -> None:
    services = build_services(config)
    assistant = build_assistant(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(services) if config.assistant.run_scheduler else None
    if scheduler is not None:
        scheduler.start()
    telegram = None
    extra_routes = []
    token = secret(config.telegram.token_env)
    if token:
        from bot.channels.telegram import TelegramChannel

        telegram = TelegramChannel(assistant, token, config.telegram)
        extra_routes = telegram.web_routes()
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
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        services.outbox.close()
        services.database.dispose()


def settle() -> None:
    """The end of start-up: what it built frozen (never traversed again by a collection), the collector on."""
    gc.freeze()
    gc.enable()


def run(config: AppConfig) -> int:
    asyncio.run(serve(config))
    return 0
