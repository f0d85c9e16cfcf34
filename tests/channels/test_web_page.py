"""The chat page in a real headless Chromium: type, read the answer, click a button."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.browser import bot_texts

pytestmark = pytest.mark.browser


def test_a_person_types_reads_and_clicks(browser: webdriver.Chrome, running_assistant: str) -> None:
    browser.get(running_assistant + "/")
    wait = WebDriverWait(browser, 30)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    before = len(bot_texts(browser))
    box = browser.find_element(By.ID, "text")
    box.send_keys("bonjour")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: len(bot_texts(d)) > before)
    assert "Bonjour" in bot_texts(browser)[-1]
    button = wait.until(ec.element_to_be_clickable((By.XPATH, "//button[text()='Activer mon compte']")))
    count = len(bot_texts(browser))
    button.click()
    wait.until(lambda d: len(bot_texts(d)) > count)
    assert "Sur quel ENT" in bot_texts(browser)[-1]
    browser.find_element(By.XPATH, "//button[text()='netocentre (Centre-Val de Loire)']").click()
    wait.until(lambda d: "Activer mon compte" in d.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text)
    assert "lycees.netocentre.fr" in bot_texts(browser)[-1]
    assert browser.find_element(By.XPATH, "//button[text()='Activer mon compte']").is_enabled() is False


def test_markup_typed_by_a_user_is_shown_as_text(browser: webdriver.Chrome, running_assistant: str) -> None:
    browser.get(running_assistant + "/")
    box = browser.find_element(By.ID, "text")
    box.send_keys("<b>gras</b><img src=x onerror=alert(1)>")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.me"))
    mine = browser.find_elements(By.CSS_SELECTOR, ".msg.me")[-1]
    assert mine.text == "<b>gras</b><img src=x onerror=alert(1)>"
    assert mine.find_elements(By.TAG_NAME, "img") == []


def test_an_agent_answers_from_the_desk_page_and_the_user_reads_it(
    browser: webdriver.Chrome, running_assistant: str
) -> None:
    from tests.channels.conftest import AGENT_TOKEN

    wait = WebDriverWait(browser, 30)
    browser.get(running_assistant + "/")
    box = browser.find_element(By.ID, "text")
    box.send_keys("je veux parler a un humain")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("transmise" in t for t in bot_texts(d)))
    number = next(t for t in bot_texts(browser) if "transmise" in t).split("n°")[1].split()[0]
    chat = browser.current_window_handle

    browser.switch_to.new_window("tab")
    browser.get(running_assistant + "/desk")
    browser.find_element(By.ID, "token").send_keys(AGENT_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    entry = wait.until(
        ec.element_to_be_clickable((By.XPATH, f"//ul[@id='tickets']//button[starts-with(text(), 'n°{number} ')]"))
    )
    entry.click()
    wait.until(lambda d: "humain" in d.find_element(By.ID, "transcript").text)
    browser.find_element(By.ID, "reply").send_keys("Bonjour, je suis là pour vous aider.")
    browser.find_element(By.ID, "send").click()
    wait.until(lambda d: "Réponse envoyée" in d.find_element(By.ID, "notice").text)
    browser.close()

    browser.switch_to.window(chat)
    wait.until(lambda d: any("Bonjour, je suis là pour vous aider." in t for t in bot_texts(d)))


def test_the_page_draws_an_unguessable_sender_id_and_replaces_an_old_one(
    browser: webdriver.Chrome, running_assistant: str
) -> None:
    import re

    browser.get(running_assistant + "/")
    browser.execute_script("localStorage.setItem('clef-sender', 'pk3j5h2lmq1x')")  # made by Math.random before
    browser.get(running_assistant + "/")
    WebDriverWait(browser, 30).until(lambda d: bot_texts(d))
    sender = browser.execute_script("return localStorage.getItem('clef-sender')")
    assert re.fullmatch(r"p[0-9a-f]{32}", sender)
