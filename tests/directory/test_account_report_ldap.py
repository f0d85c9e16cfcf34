"""`python -m bot account` against a real LDAP directory: the operator's reference data in slapd."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SettableClock
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, write_test_config
from tests.support.slapd import Slapd


@pytest.mark.ldap
def test_account_reads_the_reference_directory(reference_slapd: Slapd, tmp_path: Path, clock: SettableClock) -> None:
    config = write_test_config(
        tmp_path,
        directory={
            "kind": "ldap",
            "fixture": None,
            "ldap": {"url": reference_slapd.url, "bind_dn": reference_slapd.rootdn, "tenant": "netocentre"},
        },
    )
    assert yaml.safe_load(config.read_text())["directory"]["kind"] == "ldap"
    env = {**os.environ, **child_env(clock), "CLEF_LDAP_PASSWORD": reference_slapd.password}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "account", "test1", "--json", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["login"], report["state"], report["profile"]) == ("test1", "active", "student")
    assert report["school"]["uai"] == "0290009C" and report["tenant"] == "netocentre"
    assert report["diagnosis"] == "account_ok"


@pytest.mark.ldap
def test_account_says_clearly_when_the_directory_is_down(tmp_path: Path) -> None:
    config = write_test_config(
        tmp_path,
        directory={
            "kind": "ldap",
            "fixture": None,
            "ldap": {"url": "ldap://127.0.0.1:9", "connect_timeout_seconds": 1},
        },
    )
    env = {**os.environ, "CLEF_LDAP_PASSWORD": "x"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "account", "test1", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
