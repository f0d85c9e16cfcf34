"""The ENT's login from the chat page, in a real headless Chromium: the page, the CAS's login form (a real CAS
server, django-cas-server), and back to the chat, linked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.cas.conftest import ADML_GROUPS
from tests.support.assistant_process import assistant_process
from tests.support.browser import bot_texts
from tests.support.cas_server import PASSWORD, CasServer
from tests.support.processes import free_port, write_test_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def assistant_with_cas(tmp_path_factory: pytest.TempPathFactory, cas_server: CasServer) -> Iterator[str]:
    """`python -m bot run` with netocentre's CAS on the test CAS server, its callback on this server's port."""
    folder: Path = tmp_path_factory.mktemp("web-cas")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config_path = write_test_config(
        folder,
        web={"host": "127.0.0.1", "port": port, "public_url": url},
        tenants={"netocentre": {"cas": {"url": cas_server.url, "adml_groups": ADML_GROUPS}}},
    )
    with assistant_process(folder, config_path) as served:
        yield served


def test_a_person_logs_in_with_the_ent_and_comes_back_to_a_linked_chat(
    browser: webdriver.Chrome, assistant_with_cas: str, cas_server: CasServer
) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(assistant_with_cas + "/")
    box = browser.find_element(By.ID, "text")
    box.send_keys("lier mon compte")
    box.send_keys(Keys.ENTER)
    link = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".msg.bot a.link-button")))
    assert link.text == "Se connecter avec l'ENT (Centre-Val de Loire)"
    link.click()

    wait.until(ec.url_contains(cas_server.url + "/login"))  # the CAS's own login form
    browser.find_element(By.ID, "id_username").send_keys(cas_server.username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login_form button[type=submit]").click()

    wait.until(lambda d: any("camille.rousseau" in text for text in bot_texts(d)))  # back in the chat, told
    assert browser.current_url == assistant_with_cas + "/"
    box = browser.find_element(By.ID, "text")
    box.send_keys("je n'arrive pas à me connecter")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("bloqué jusqu'au 31/12/2026" in text for text in bot_texts(d)))  # its own account
