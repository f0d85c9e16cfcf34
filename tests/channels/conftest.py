"""A real assistant process (`python -m bot run`) on a free loopback port, and a headless Chromium, for the web
channel's tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from tests.conftest import TEST_START
from tests.support.browser import chromium
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, free_port, stop, wait_for_http, write_test_config

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
    services = build_services(load_config(config_path))
    load_demo_directory(services)
    services.database.dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "CLEF_CONFIG": str(config_path),
        "CLEF_AGENT_TOKEN": AGENT_TOKEN,
        **child_env(
            lambda: TEST_START
        ),  # the server diagnoses "now": its wall clock starts where every test clock does
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health", process, timeout=120)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """A headless Chromium for the page tests of a module."""
    with chromium() as driver:
        yield driver
