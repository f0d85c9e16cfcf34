"""Rasa's own web-chat widget (`rasa-webchat` from npm) in Chromium, on another site's page, over socket.io."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.support import webchat

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def widget_page(running_assistant: str, widget_page_port: int) -> Iterator[str]:
    """The page of a school's site embedding the widget (an origin the assistant's `web.widget_origins` lists)."""
    with webchat.serve_page(widget_page_port, webchat.install(), running_assistant) as url:
        yield url


def answers(driver: webdriver.Chrome) -> list[str]:
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".rw-response")]


def test_a_person_types_in_the_widget_reads_the_answer_and_clicks_a_button(
    browser: webdriver.Chrome, widget_page: str
) -> None:
    browser.get(widget_page)
    wait = WebDriverWait(browser, 60)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".rw-new-message")))
    box.send_keys("bonjour")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("Bonjour" in text for text in answers(d)))
    button = wait.until(
        ec.element_to_be_clickable((By.XPATH, "//*[contains(@class, 'rw-reply') and text()='Activer mon compte']"))
    )
    button.click()
    wait.until(lambda d: "Sur quel ENT" in answers(d)[-1])
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".rw-client")][-1] == "Activer mon compte"
