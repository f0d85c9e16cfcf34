"""Rasa's own web-chat widget (`rasa-webchat` from npm) in Chromium, on another site's page, over socket.io."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
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


def texts(driver: webdriver.Chrome, selector: str) -> list[str]:
    """The texts of the widget's elements, read in one go (the widget re-renders its messages as they come)."""
    found = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText.trim())", selector
    )
    return [str(text) for text in found]


def answers(driver: webdriver.Chrome) -> list[str]:
    return texts(driver, ".rw-response")


def click_reply(title: str) -> Callable[[webdriver.Chrome], bool]:
    """A wait's condition: the widget's quick reply `title`, clicked once it can be (found again if re-rendered)."""
    reply = (By.XPATH, f"//*[contains(@class, 'rw-reply') and text()='{title}']")

    def clicked(driver: webdriver.Chrome) -> bool:
        if not ec.element_to_be_clickable(reply)(driver):
            return False
        driver.find_element(*reply).click()
        return True

    return clicked


def test_a_person_types_in_the_widget_reads_the_answer_and_clicks_a_button(
    browser: webdriver.Chrome, widget_page: str
) -> None:
    browser.get(widget_page)
    wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".rw-new-message")))
    box.send_keys("bonjour" + Keys.ENTER)
    wait.until(lambda d: any("Bonjour" in text for text in answers(d)))
    wait.until(click_reply("Activer mon compte"))
    wait.until(lambda d: any("Sur quel ENT" in text for text in answers(d)))
    assert texts(browser, ".rw-client")[-1] == "Activer mon compte"
