"""The « apprendre » desk page in a real headless Chromium: a miss of the web chat shown in its group, labelled
« Hors sujet » with one click."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.channels.conftest import AGENT_TOKEN
from tests.channels.test_web_rest import say

pytestmark = pytest.mark.browser

MISS = "quantique banane fromage tortue"


def test_an_agent_sees_a_miss_in_its_group_and_labels_it_off_topic_in_one_click(
    browser: webdriver.Chrome, running_assistant: str
) -> None:
    for sender in ("teach-page-1", "teach-page-2"):
        say(running_assistant, sender, MISS)  # not understood: offered the likeliest topics, kept as a miss
    wait = WebDriverWait(browser, 30)
    browser.get(running_assistant + "/desk")
    browser.find_element(By.LINK_TEXT, "Apprendre des messages incompris").click()
    wait.until(lambda d: d.find_element(By.ID, "login").is_displayed())  # a browser of its own: no token yet
    browser.find_element(By.ID, "token").send_keys(AGENT_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()

    def row(driver: webdriver.Chrome) -> object:
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#groups > li.group") if MISS in r.text]
        return rows[0] if rows else False

    group = wait.until(row)
    assert "2 message(s) : 2 incompris, 0 peu sûr(s)" in group.text  # type: ignore[attr-defined]
    group.find_element(By.CSS_SELECTOR, "button.off-topic").click()  # type: ignore[attr-defined]
    wait.until(lambda d: "Enregistré : 2 message(s) → Hors sujet." in d.find_element(By.ID, "notice").text)
    wait.until(lambda d: not row(d))
