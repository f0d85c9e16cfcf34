"""The services of this process, once the composition root (`bot.bootstrap`) has built and installed them.

Entry points that the framework calls without arguments read them here: the rasa-sdk actions (through
`actions.context`) and the scheduler's jobs (referenced by name from the persistent job store). Nothing
here builds anything; `install` is called by `bot.bootstrap.build_assistant`.
"""

from __future__ import annotations

import threading

from bot.services.container import Services
from bot.services.operations import Operations

_lock = threading.Lock()
_installed: tuple[Services, Operations] | None = None


def install(services: Services) -> None:
    """Make `services` (and the operations on them) the ones of this process."""
    global _installed
    with _lock:
        _installed = (services, Operations(services))


def installed() -> tuple[Services, Operations] | None:
    """The services and operations installed, or None before the composition root ran."""
    return _installed


def services() -> Services:
    """The installed services; raises `LookupError` when none are (a job run outside the assistant)."""
    found = _installed
    if found is None:
        raise LookupError("no services installed: build them with bot.bootstrap first")
    return found[0]
