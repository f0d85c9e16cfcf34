"""The one accessor through which actions reach their services and operations.

In the assistant's process they are the ones the composition root installed (`bot.services.current`).
When the rasa-sdk action server starts this package alone, the first call builds them from config.yml
(`CLEF_CONFIG` may name another file) and installs them.
"""

from __future__ import annotations

import threading

from bot.services import Services
from bot.services import current as installed_services
from bot.services.operations import Operations

_lock = threading.Lock()


def _installed() -> tuple[Services, Operations]:
    found = installed_services.installed()
    if found is None:
        with _lock:
            found = installed_services.installed()
            if found is None:  # the action server alone: nobody built the services
                from bot.bootstrap import build_services
                from bot.config import load_config

                installed_services.install(build_services(load_config()))
                found = installed_services.installed()
    assert found is not None
    return found


def services() -> Services:
    return _installed()[0]


def operations() -> Operations:
    return _installed()[1]
