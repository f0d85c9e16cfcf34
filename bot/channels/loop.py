"""Handing a coroutine to the channel's event loop from wherever the caller runs (a turn's thread or the loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def run_on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, Any]) -> None:
    """Schedule `coroutine` on `loop`: as a task when called from that loop, else thread-safely."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(coroutine)
    else:
        asyncio.run_coroutine_threadsafe(coroutine, loop)
