"""The same `actions` package runs under rasa-sdk's own action server: a real /webhook request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest

from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from tests.actions.rasa import tracker_state
from tests.conftest import TEST_START
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, free_port, stop, wait_for_http, write_test_config


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("action-server")
    config_path = write_test_config(folder)
    services = build_services(load_config(config_path))
    load_demo_directory(services)
    services.database.dispose()
    port = free_port()
    # the server diagnoses "now": its wall clock starts where every test clock does
    env = {**os.environ, **child_env(lambda: TEST_START), "CLEF_CONFIG": str(config_path), "SANIC_HOST": "127.0.0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health", process, timeout=90)
        yield url
    finally:
        stop(process)


def post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(
        f"{url}/webhook", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_action_server_lists_the_same_actions_as_the_in_process_executor(action_server: str) -> None:
    from bot.bootstrap import action_executor

    with urllib.request.urlopen(f"{action_server}/actions", timeout=10) as response:
        served = {item["name"] for item in json.loads(response.read())}
    assert served == {action.name for action in action_executor().list_actions()}
    assert {"action_diagnose", "action_answer_faq", "validate_diagnosis_form"} <= served


def test_a_real_webhook_call_diagnoses_an_expired_link(action_server: str) -> None:
    domain = __import__("yaml").safe_load((ROOT / "knowledge" / "domain.yml").read_text(encoding="utf-8"))
    result = post(
        action_server,
        {
            "next_action": "action_diagnose",
            "sender_id": "web:action-server-test",
            "tracker": tracker_state(
                "web:action-server-test",
                "link_expired",
                {"username": "chloe.bernard", "problem": "link_expired"},
                text="mon lien a expire",
            ),
            "domain": domain,
            "version": "3.1",
        },
    )
    slots = {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}
    assert slots["diagnosis"] == "link_expired"
    assert slots["proposed_operation"] == "resend_validation_link"
    assert slots["tenant"] == "monlycee"
    assert [r["response"] for r in result["responses"]] == ["utter_diagnosis_link_expired"]
