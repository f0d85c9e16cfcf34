"""`python -m bot account LOGIN`: what support sees of an account, on the embedded directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from tests.conftest import SettableClock
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, write_test_config


def account(config: Path, clock: SettableClock, *args: str) -> subprocess.CompletedProcess[str]:
    """The command, run with its wall clock at the test's `clock` (the report diagnoses "now")."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "account", *args, "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, **child_env(clock)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def demo_config(tmp_path: Path) -> Path:
    path = write_test_config(tmp_path)
    services = build_services(load_config(path))
    load_demo_directory(services)
    services.database.dispose()
    return path


def test_json_report_of_a_link_expired_account(tmp_path: Path, clock: SettableClock) -> None:
    done = account(demo_config(tmp_path), clock, "chloe.bernard", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["state"] == "active" and report["tenant"] == "monlycee"
    assert report["school"] == {"uai": "0750001A", "name": "Lycée Jean Moulin", "ent_convention": True}
    assert report["backup_email"] == "c***b@e***.org"  # masked
    assert report["diagnosis"] == "link_expired" and report["next_step"] == "resend_validation_link"
    assert report["validation_link_sent_at"].startswith("2026-11-10T08:00:00")


def test_text_report_and_unknown_login(tmp_path: Path, clock: SettableClock) -> None:
    config = demo_config(tmp_path)
    done = account(config, clock, "emma.leroy")
    assert done.returncode == 0
    assert "account_locked" in done.stdout and "0931234B" in done.stdout
    unknown = account(config, clock, "personne.inconnue")
    assert unknown.returncode == 1 and "no account 'personne.inconnue'" in unknown.stdout
