"""The one accessor through which actions reach their services.

The composition root installs the services it built; when the rasa-sdk action server starts the
package alone, the first call builds them from config.yml (`CLEF_CONFIG` may name another file).
"""

from __future__ import annotations

import threading

from bot.operations import Operations
from bot.services import Services

_lock = threading.Lock()
_services: Services | None = None
_operations: Operations | None = None


def install(services: Services) -> None:
    global _services, _operations
    with _lock:
        _services = services
        _operations = Operations(services)


def get() -> Services:
    if _services is None:
        with _lock:
            if _services is None:
                from bot.app import build_services
                from bot.config import load_config

                services = build_services(load_config())
                globals()["_services"] = services
                globals()["_operations"] = Operations(services)
    assert _services is not None
    return _services


def operations() -> Operations:
    get()
    assert _operations is not None
    return _operations
