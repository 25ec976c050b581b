"""Debian's Chromium driven by Selenium (headless), and a real ``channel-manager run`` serving the console."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[WebDriver]:
    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), "run scripts/ensure-chromium.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], seconds: float, what: str) -> Any:
    """Waits until ``condition`` holds. The console's pages refresh themselves, so an element found on one
    poll may be gone by the next read of it; that counts as "not yet", like an element not there."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.2, ignored_exceptions=ignored).until(condition)
    except Exception as error:
        raise AssertionError(f"{what}: not within {seconds:g} s (page: {driver.current_url})") from error


def fill(driver: WebDriver, fields: dict[str, str], within: WebElement | None = None) -> None:
    root: Any = within or driver
    for name, value in fields.items():
        element = root.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def sign_in(driver: WebDriver, base: str, name: str, password: str) -> None:
    driver.get(f"{base}/console/orders")
    fill(driver, {"name": name, "password": password})
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url.endswith("/console/orders"), 10, "signed in")


def wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


async def start_run(args: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    handle = log.open("ab")
    process = await asyncio.create_subprocess_exec(*args, env=env, stdout=handle, stderr=handle)
    handle.close()
    return process
