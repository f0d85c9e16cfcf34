"""Starting real servers for tests: free ports, waiting until they answer, stopping them."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from bot.config import deep_merge, read_config_file
from bot.storage.db import make_engine, migrate

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"the server exited with {process.returncode} before answering:\n{output[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def write_test_config(folder: Path, **sections: dict) -> Path:
    """config.yml with a migrated SQLite database and mail captured under `folder`, plus overrides merged in (the
    database they name, e.g. `storage={"url": postgresql_url}`, is the one migrated)."""
    raw = read_config_file(ROOT / "config.yml")
    url = f"sqlite:///{folder / 'clef.db'}"
    raw["storage"]["url"] = url
    raw["mail"]["outbox_dir"] = str(folder / "outbox")
    raw["assistant"]["nlu"]["model_dir"] = str(ROOT / "var" / "nlu")
    raw = deep_merge(raw, sections)  # nested mappings merge (a tenant's `cas` beside its other keys)
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    engine = make_engine(raw["storage"]["url"])
    migrate(engine)
    engine.dispose()
    return path
