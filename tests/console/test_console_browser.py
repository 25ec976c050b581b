"""The console in a real browser (Debian's Chromium through Selenium) against a real `channel-manager run`
and both sandboxes: sign in, connect a store (a wrong Walmart secret first: the page says Walmart refused),
watch orders arrive, ship partially, cancel the remainder, refund a return, retry an Error order, and
check what Walmart's sandbox received."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from channel_manager.crypto import SecretBox
from channel_manager.domain.access import Role
from channel_manager.service import console_users
from channel_manager.storage import Database
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import free_port
from recovery.conftest import SECRET_KEY, run_command_line, run_environment
from sync.conftest import CLIENT_ID, CLIENT_SECRET, Servers

from .browser import chromium, fill, sign_in, start_run, wait_for, wait_http

pytestmark = pytest.mark.anyio
PASSWORD = "browser test password"


def walmart_order(servers: Servers, lines: list[dict[str, object]]) -> str:
    response = httpx.post(
        f"{servers.walmart_url}/_sandbox/sellers/seller-1/orders/exact", json={"lines": lines}, timeout=10
    )
    response.raise_for_status()
    return str(response.json()["purchase_order_id"])


def confirm_and_send(driver: WebDriver, form_id: str) -> str:
    driver.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "confirm-send"), 10, f"{form_id}: the confirm step")
    summary = driver.find_element(By.CSS_SELECTOR, ".confirm ul").text
    driver.find_element(By.ID, "confirm-send").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "flash"), 30, f"{form_id}: the result")
    flash = driver.find_element(By.ID, "flash")
    assert "error" not in (flash.get_attribute("class") or ""), flash.text
    return summary


def open_order(driver: WebDriver, base: str, po: str) -> None:
    driver.get(f"{base}/console/orders?q={po}")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"tr[data-po='{po}'] a"), 10, f"{po} listed")
    driver.find_element(By.CSS_SELECTOR, f"tr[data-po='{po}'] a").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "order-status"), 10, f"{po}'s page")


def truth(servers: Servers, po: str) -> dict[str, dict[str, int]]:
    return {n: line["by_status"] for n, line in servers.walmart.truth(po)["lines"].items()}


def refunded(servers: Servers, po: str) -> float:
    return float(servers.walmart.truth(po)["lines"]["1"]["refunded_product"])


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'channel-manager.sqlite3'}"


async def test_a_merchant_day_in_the_console(servers: Servers, database_url: str, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    database = Database.open(database_url, SecretBox(SECRET_KEY))
    console_users.create_user(database, "ada", Role.ADMIN, PASSWORD, actor="test")
    port, webhook_port = free_port(), free_port()
    args = run_command_line("--port", str(port), "--webhook-port", str(webhook_port), "--workers", "2")
    process = await start_run(args, run_environment(database_url, tmp_path / "data"), tmp_path / "run.log")
    base = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(wait_http, f"{base}/health", 30)
        await asyncio.to_thread(_day, servers, base)
    except BaseException:
        print((tmp_path / "run.log").read_text(errors="replace")[-5000:])
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
        database.dispose()


def _connect(driver: WebDriver, base: str, servers: Servers, secret: str) -> None:
    driver.get(f"{base}/console/stores/new")
    fill(driver, {
        "name": "Browser store", "walmart_base_url": servers.walmart_url, "walmart_client_id": CLIENT_ID,
        "walmart_client_secret": secret, "commerce_base_url": servers.commerce_url,
        "commerce_access_token": DEFAULT_TOKEN,
    })  # fmt: skip
    driver.find_element(By.CSS_SELECTOR, "#connect-form details summary").click()
    fill(driver, {"order_poll_seconds": "1", "commerce_poll_seconds": "1", "returns_poll_seconds": "1"})
    driver.find_element(By.CSS_SELECTOR, "#connect-form button[type=submit]").click()


def _day(servers: Servers, base: str) -> None:
    with chromium() as driver:
        sign_in(driver, base, "ada", PASSWORD)

        # Connect a store: a wrong Walmart secret is refused, naming Walmart; the right one connects.
        _connect(driver, base, servers, "not-the-secret")
        error = wait_for(driver, lambda d: d.find_elements(By.ID, "connect-error"), 20, "the refusal")[0].text
        assert "Walmart" in error and "not connected" in error, error
        _connect(driver, base, servers, CLIENT_SECRET)
        wait_for(driver, lambda d: d.current_url.endswith("/console/stores"), 20, "connected")
        assert "Browser store" in driver.find_element(By.ID, "stores-table").text

        # Orders arrive: the Orders page shows them by itself (no reload).
        po = walmart_order(servers, [{"sku": "MUG-1", "quantity": 3, "unit_price": "8.50"}])
        broken = walmart_order(servers, [{"sku": "NOPE-9", "quantity": 1, "unit_price": "5.00"}])
        driver.get(f"{base}/console/orders")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"tr[data-po='{po}']"), 30, "the PO arriving")

        # Ship one of three units, then cancel the unshipped remainder.
        open_order(driver, base, po)

        def created_in_commerce(d: WebDriver) -> bool:
            d.refresh()
            return "not created yet" not in d.find_element(By.CSS_SELECTOR, ".facts").text

        wait_for(driver, created_in_commerce, 30, "the Commerce order created")
        open_order(driver, base, po)
        ship = driver.find_element(By.ID, "ship-form")
        fill(driver, {"qty_1": "1", "carrier": "UPS", "tracking_number": "1Z999AA10123456784"}, ship)
        summary = confirm_and_send(driver, "ship-form")
        assert "line 1 x 1" in summary and "1Z999AA10123456784" in summary
        wait_for(driver, lambda d: truth(servers, po)["1"].get("Shipped", 0) == 1, 30, "Walmart: 1 unit shipped")
        wait_for(driver, lambda d: d.find_element(By.ID, "order-status").text == "Partially shipped", 20, "status")

        Select(driver.find_element(By.CSS_SELECTOR, "#cancel-form select[name=reason]")).select_by_value(
            "SELLER_CANCEL_OUT_OF_STOCK"
        )
        assert "CUSTOMER_REQUESTED" not in driver.find_element(By.ID, "cancel-form").get_attribute("innerHTML")
        summary = confirm_and_send(driver, "cancel-form")
        assert "whole unshipped remainder" in summary
        wait_for(driver, lambda d: truth(servers, po)["1"].get("Cancelled", 0) == 2, 30, "Walmart: 2 cancelled")
        wait_for(driver, lambda d: d.find_element(By.ID, "order-status").text == "Shipped", 20, "status Shipped")

        # The buyer returns the shipped unit; it shows on the Returns page; refund it there.
        httpx.post(f"{servers.walmart_url}/_sandbox/orders/{po}/lines/1/deliver", timeout=10).raise_for_status()
        opened = httpx.post(
            f"{servers.walmart_url}/_sandbox/orders/{po}/returns",
            json={"lines": [{"line_number": "1", "quantity": 1, "reason": "NO_LONGER_WANTED"}]}, timeout=10,
        )  # fmt: skip
        opened.raise_for_status()
        rma = str(opened.json()["returnOrderId"])

        def return_listed(d: WebDriver) -> bool:
            d.get(f"{base}/console/returns")
            return bool(d.find_elements(By.CSS_SELECTOR, f"tr[data-rma='{rma}'] form"))

        wait_for(driver, return_listed, 40, "the return on the Returns page")
        driver.find_element(By.CSS_SELECTOR, f"tr[data-rma='{rma}'] form button").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "confirm-send"), 10, "refund confirm")
        driver.find_element(By.ID, "confirm-send").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "flash"), 30, "refund result")
        assert "credit memo created" in driver.find_element(By.ID, "flash").text
        wait_for(driver, lambda d: refunded(servers, po) == 8.5, 30, "Walmart: the unit's 8.50 refunded")

        # An order whose SKU Commerce does not know goes to Error; once the product exists, Retry fixes it.
        driver.get(f"{base}/console/orders?status=Error")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"tr.row-error[data-po='{broken}']"), 60,
                 "the broken order in Error")  # fmt: skip
        servers.commerce.upsert_product("NOPE-9", name="Found later", price=5.0, quantity=10)
        open_order(driver, base, broken)
        confirm_and_send(driver, "retry-form")
        wait_for(driver, lambda d: d.find_element(By.ID, "order-status").text == "Open", 40, "retried: Open")
        assert servers.walmart.truth(broken)["lines"]["1"]["by_status"].get("Acknowledged", 0) == 1

        # Every page renders for the signed-in admin.
        for path in ("/console/stores", "/console/health", "/console/returns", "/console/orders"):
            driver.get(base + path)
            assert driver.find_element(By.TAG_NAME, "h1").text
