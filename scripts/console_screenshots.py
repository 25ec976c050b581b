"""Screenshots of the merchant console's pages for docs/console.md (docs/console/*.png).

    .venv/bin/python scripts/console_screenshots.py [--out docs/console] [--wait 40]

Runs ``channel-manager demo`` (both sandboxes, a Demo store, orders arriving, faults injected) in a data
directory of its own, signs in as the demo's console user in Debian's Chromium (headless, through Selenium;
``scripts/ensure-chromium.sh`` installs it), waits ``--wait`` seconds for orders to move, then takes each
page at 1280 px and the Orders page and an order also at phone width (390 px). The demo is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_LINE = re.compile(r"Console: (http://\S+)/console  \(sign in as (\S+) / (\S+)\)")
DESKTOP, PHONE = 1280, 390


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


@contextlib.contextmanager
def demo(seconds: float) -> Iterator[tuple[str, str, str]]:
    """A running demo: (base URL, user, password)."""
    data = tempfile.mkdtemp(prefix="cm-screenshots-")
    command = [str(ROOT / ".venv/bin/channel-manager"), "demo", "--duration", str(seconds), "--data-dir", data,
               "--api-port", str(free_port()), "--orders", "40"]  # fmt: skip
    env = {**os.environ, "COLUMNS": "160"}
    process = subprocess.Popen(  # noqa: S603 (our own executable, fixed arguments)
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    found: list[tuple[str, str, str]] = []
    ready = threading.Event()

    def read() -> None:  # the demo's live board goes on printing: read it all, keep the sign-in
        assert process.stdout is not None
        for line in process.stdout:
            match = CONSOLE_LINE.search(line)
            if match and not found:
                found.append((match[1], match[2], match[3]))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(120) or not found:
            raise SystemExit(f"the demo did not print its console address (exit code {process.poll()})")
        yield found[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def chromium() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--hide-scrollbars", f"--window-size={DESKTOP},800"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _viewport(driver: WebDriver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def shoot(driver: WebDriver, url: str, path: Path, width: int = DESKTOP) -> bool:
    """The page at ``width``, as tall as it is up to 3,200 px (1,800 on a phone); False (no file) for a page
    that is not there."""
    _viewport(driver, width, 800)
    driver.get(url)
    if not driver.find_elements(By.CSS_SELECTOR, "main#main"):
        return False
    time.sleep(1.0)  # the page's script fetches its live parts
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    _viewport(driver, width, min(max(height, 500), 1800 if width < 500 else 3200))
    time.sleep(0.3)
    driver.save_screenshot(str(path))
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({width} px)")
    return True


def submit(driver: WebDriver, url: str, form_id: str, fields: dict[str, str]) -> None:
    driver.get(url)
    form = driver.find_element(By.ID, form_id)
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_visible_text(value)
        else:
            element.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    time.sleep(0.5)


def first_href(driver: WebDriver, selector: str) -> str | None:
    links = driver.find_elements(By.CSS_SELECTOR, selector)
    return links[0].get_attribute("href") if links else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    parser.add_argument("--wait", type=float, default=40.0, help="seconds of demo traffic before the shots")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with demo(args.wait + 120) as (base, user, password), chromium() as driver:
        shoot(driver, f"{base}/console/sign-in", out / "sign-in.png")
        driver.find_element(By.NAME, "name").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        time.sleep(args.wait)
        shoot(driver, f"{base}/console/orders", out / "orders.png")
        shoot(driver, f"{base}/console/orders", out / "orders-phone.png", PHONE)
        driver.get(f"{base}/console/orders?status=Partially+shipped")
        order = first_href(driver, "table a[href*='/console/orders/']")
        if order is None:
            driver.get(f"{base}/console/orders?status=Open")
            order = first_href(driver, "table a[href*='/console/orders/']")
        if order is None:
            driver.get(f"{base}/console/orders")
            order = first_href(driver, "table a[href*='/console/orders/']")
        if order is not None:
            shoot(driver, order, out / "order.png")
            shoot(driver, order, out / "order-phone.png", PHONE)
        shoot(driver, f"{base}/console/stores", out / "stores.png")
        store = first_href(driver, "table a[href^='/console/stores/'], table a[href*='/console/stores/']")
        shoot(driver, f"{base}/console/stores/new", out / "store-connect.png")
        if store is not None:
            shoot(driver, store, out / "store-settings.png")
        for name in ("returns", "jobs", "health"):
            shoot(driver, f"{base}/console/{name}", out / f"{name}.png")
        # A second user and an API token, through their pages, so that those show rows (the new token's
        # one-time page is not shot: the list never shows a token).
        submit(
            driver,
            f"{base}/console/users",
            "create-user-form",
            {
                "name": "olga",
                "role": "operator",
                "password": "olga's password 1",
                "password_again": "olga's password 1",
            },
        )
        shoot(driver, f"{base}/console/users", out / "users.png")
        submit(driver, f"{base}/console/tokens", "create-token-form", {"name": "prometheus", "role": "viewer"})
        shoot(driver, f"{base}/console/tokens", out / "tokens.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
