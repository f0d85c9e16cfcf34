"""`python -m bot run` as a real process for a test: the demo directory loaded into its database, its wall clock
starting where every test clock does, stopped at the end."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from tests.conftest import TEST_START
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, stop, wait_for_http


@contextmanager
def assistant_process(folder: Path, config_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The server of `config_path` running on its `web.port`, HOME in `folder`, `env` added; yields its URL."""
    config = load_config(config_path)
    services = build_services(config)
    load_demo_directory(services)
    services.database.dispose()
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "CLEF_CONFIG": str(config_path),
        **(env or {}),
        **child_env(lambda: TEST_START),  # the server diagnoses "now": its clock starts where the tests' do
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{config.web.port}"
    try:
        wait_for_http(f"{url}/health", process, timeout=120)
        yield url
    finally:
        stop(process)
