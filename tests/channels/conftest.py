"""A real assistant process (`python -m bot run`) on a free loopback port, and a headless Chromium, for the web
channel's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from bot.bootstrap import build_assistant
from bot.channels.web import build_web_app, start_web
from bot.nlu.model import NluModel
from bot.services import Services
from tests.support.assistant_process import assistant_process
from tests.support.browser import chromium
from tests.support.processes import free_port, write_test_config

AGENT_TOKEN = "desk-token-for-tests"


@pytest.fixture(scope="session")
def widget_page_port() -> int:
    """The port of the page that embeds Rasa's web-chat widget (`tests/support/webchat`): an allowed origin."""
    return free_port()


@pytest.fixture(scope="session")
def running_assistant(tmp_path_factory: pytest.TempPathFactory, widget_page_port: int) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("web")
    port = free_port()
    config_path = write_test_config(
        folder,
        web={
            "host": "127.0.0.1",
            "port": port,
            "requests_per_ip": {"count": 100000, "per_seconds": 60},
            "widget_origins": [f"http://127.0.0.1:{widget_page_port}"],
            "socket_sweep_seconds": 3600,  # what a socket receives later, it receives from this process's relay
        },
    )
    with assistant_process(folder, config_path, {"CLEF_AGENT_TOKEN": AGENT_TOKEN}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """A headless Chromium for the page tests of a module."""
    with chromium() as driver:
        yield driver


@pytest.fixture
async def web_url(services: Services, nlu: NluModel) -> AsyncIterator[str]:
    """The web channel of the test's services, served in this process on a free port."""
    port = free_port()
    runner = await start_web(build_web_app(build_assistant(services, nlu)), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()
