"""The dashboard in headless Chromium, through the real server (`python -m bot run`) on the seeded database: the page
renders, each chart is drawn from the database's figures, the filters change them, and a screenshot is saved."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from bot.dashboard.charts import CHARTS
from bot.dashboard.labels import DashboardLabels
from bot.storage.db import make_engine
from tests.conftest import TEST_START
from tests.support.browser import chromium
from tests.support.dashboard_seed import seed_dashboard
from tests.support.machine_clock import child_env
from tests.support.processes import ROOT, free_port, stop, wait_for_http, write_test_config

pytestmark = pytest.mark.browser

TOKEN = "dashboard-token-for-tests"


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    config_path = write_test_config(folder, web={"host": "127.0.0.1", "port": port})
    services = build_services(load_config(config_path))
    load_demo_directory(services)
    seed_dashboard(make_engine(str(services.database.url)))
    services.database.dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "CLEF_CONFIG": str(config_path),
        "CLEF_AGENT_TOKEN": TOKEN,
        **child_env(lambda: TEST_START),  # "today" is the tests' day: the default range ends on 25 November
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health", process, timeout=120)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with chromium() as driver:
        driver.set_window_size(1400, 1000)
        yield driver


def _chart_texts(driver: webdriver.Chrome, chart: str) -> list[str]:
    """The words drawn in a chart's SVG (titles, axes, legends), as the page holds them."""
    script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent.trim())"
    return [t for t in driver.execute_script(script, f"#chart-{chart} svg text") if t]


def _apply(driver: webdriver.Chrome, wait: WebDriverWait[webdriver.Chrome], **fields: str) -> None:
    """Set filters as a person would pick them, then show the figures and wait for the new ones."""
    before = driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded")
    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:  # a date input's keys depend on the browser's locale: its value is set as a date picker sets it
            driver.execute_script("arguments[0].value = arguments[1]", element, value)
    driver.find_element(By.ID, "apply").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") != before)


def _schools(driver: webdriver.Chrome) -> list[str]:
    """The schools named on the top schools' chart, first the most concerned."""
    return [t for t in _chart_texts(driver, "schools") if t.startswith("Lycée")]


def _summary(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.ID, "summary").text


def test_the_dashboard_shows_each_chart_from_the_database_and_its_filters_change_them(
    browser: webdriver.Chrome, dashboard_url: str, labels: DashboardLabels, tmp_path_factory: pytest.TempPathFactory
) -> None:
    wait = WebDriverWait(browser, 60)
    browser.get(dashboard_url + "/desk/tableau")
    assert browser.title == labels.text("page", "title")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    # the default range, the 30 days up to today, holds the 50 chats of 31 October too
    assert _summary(browser).startswith("66 conversations")
    assert browser.find_element(By.ID, "from").get_attribute("value") == "2026-10-27"

    _apply(browser, wait, **{"from": "2026-11-01", "to": "2026-11-25"})
    assert _summary(browser).startswith("16 conversations, dont 69 % terminées sans conseiller")
    assert "5 demandes ouvertes, 4 closes" in _summary(browser)
    empty = labels.text("charts", "empty")
    for chart in CHARTS:
        words = _chart_texts(browser, chart)
        assert words and empty not in words, (chart, words)
        shapes = browser.find_elements(By.CSS_SELECTOR, f"#chart-{chart} svg path")
        assert len(shapes) > 5, chart
    assert "compte non activé" in _chart_texts(browser, "activity")
    assert {"MonLycée.net", "ENT inconnu"} <= set(_chart_texts(browser, "tenants"))
    assert _schools(browser) == [
        "Lycée Jean Moulin (0750001A)",
        "Lycée Voltaire (0450012D)",
        "Lycée Paul Éluard (0931234B)",
    ]
    assert "Notes des demandes closes (moyenne 3,7/5)" in _chart_texts(browser, "ratings")
    # the page's Content-Security-Policy allows no inline style: the charts hold none and still have their colours
    assert browser.execute_script("return document.querySelectorAll('#charts [style], #charts style').length") == 0
    folder = tmp_path_factory.mktemp("screenshots")
    browser.set_window_size(1400, browser.execute_script("return document.body.scrollHeight") + 120)
    shot = folder / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    print(f"dashboard screenshot: {shot}")

    _apply(browser, wait, tenant="netocentre")
    assert _summary(browser).startswith("4 conversations")
    assert "MonLycée.net" not in _chart_texts(browser, "tenants")
    assert _schools(browser) == ["Lycée Voltaire (0450012D)"]

    _apply(browser, wait, tenant="", uai="0931234B", top_by="tickets")
    assert _summary(browser).startswith("3 conversations")
    assert "note moyenne 4,5/5" in _summary(browser)
    assert labels.text("charts", "schools", "title", top_by="demandes ouvertes") in _chart_texts(browser, "schools")
    assert _schools(browser) == ["Lycée Paul Éluard (0931234B)"]
    filtered = Path(folder) / "dashboard-school.png"
    assert browser.save_screenshot(str(filtered))
    print(f"dashboard screenshot, one school: {filtered}")
