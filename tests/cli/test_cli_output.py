"""CLI output a person (and a script) can read: tables that fit, identifiers never cut, JSON everywhere,
newest first, polling reads hidden unless asked for, PO numbers instead of internal ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from _cli import Cli, make_cli

from channel_manager.crypto import SecretBox
from channel_manager.domain.orders import OrderLine, PurchaseOrder
from channel_manager.domain.quantities import LineQuantities
from channel_manager.domain.sync import Side
from channel_manager.storage import Database
from channel_manager.storage.attempt_repository import SyncAttempt

T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
LONG_PO = "17962770830221234567890"  # longer than Walmart's, so any cut would show


def _order(store_id: int, po: str, minutes: int) -> PurchaseOrder:
    line = OrderLine(
        line_number="1", sku="SKU-WITH-A-RATHER-LONG-CODE-1", product_name="A product with a long name to wrap",
        quantities=LineQuantities.new(2), unit_price=Decimal("10.00"), unit_tax=Decimal("0.80"),
        shipping_charge=Decimal("1.50"),
    )  # fmt: skip
    at = T0 + timedelta(minutes=minutes)
    return PurchaseOrder(
        store_id=store_id, purchase_order_id=po, customer_order_id=f"C{po}", customer_email="b@relay.walmart.com",
        ship_method="Value", ordered_at=at, ship_by=at + timedelta(days=2), deliver_by=at + timedelta(days=5),
        lines=[line],
    )  # fmt: skip


@pytest.fixture
def filled(tmp_path: Path) -> Cli:
    """A store with two orders: the newer has a timeline, polling reads, one write and two jobs."""
    data = tmp_path / "data"
    cli = make_cli(data)
    assert cli("init").returncode == 0
    added = cli(
        "stores", "add", "--name", "US store", "--walmart-client-id", "client-1", "--walmart-client-secret", "s",
        "--commerce-url", "https://shop.example.com", "--commerce-token", "t", "--no-verify",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    database = Database.open(
        f"sqlite:///{data / 'channel-manager.sqlite3'}", SecretBox((data / "secret.key").read_bytes())
    )
    try:
        with database.unit_of_work() as uow:
            store_id = uow.stores.list()[0].id
            assert store_id is not None
            older, newer = _order(store_id, "1000000000001", 0), _order(store_id, LONG_PO, 10)
            newer.record(T0 + timedelta(minutes=11), "received", "Received from Walmart (first event).")
            newer.record(T0 + timedelta(minutes=12), "acknowledged", "Acknowledged at Walmart (second event).")
            assert uow.orders.add(older) and uow.orders.add(newer)
            assert newer.id is not None
            uow.jobs.enqueue("first_job_kind", store_id=store_id, order_id=newer.id, dedupe_key="a")
            uow.jobs.enqueue("second_job_kind", store_id=store_id, order_id=newer.id, dedupe_key="b")
            uow.commit()
        reads = [
            SyncAttempt(store_id, T0 + timedelta(minutes=13, seconds=i), Side.WALMART, "GET",
                        "GET /v3/orders/{purchaseOrderId}", f"/v3/orders/{LONG_PO}", 5, 200, order_id=newer.id)
            for i in range(5)
        ]  # fmt: skip
        write = SyncAttempt(
            store_id, T0 + timedelta(minutes=14), Side.WALMART, "POST", "POST /v3/orders/{purchaseOrderId}/acknowledge",
            f"/v3/orders/{LONG_PO}/acknowledge", 9, 200, order_id=newer.id,
        )  # fmt: skip
        database.record_attempts([*reads, write])
    finally:
        database.dispose()
    return cli


def test_tables_fit_the_terminal_and_never_cut_an_identifier(filled: Cli) -> None:
    for columns in ("60", "100", "200"):
        filled.env["COLUMNS"] = columns
        listed = filled("orders", "list")
        assert listed.returncode == 0, listed.stderr
        assert LONG_PO in listed.stdout, listed.stdout  # whole, on one line
        assert "…" not in listed.stdout
        assert max(len(line) for line in listed.stdout.splitlines()) <= int(columns)
    del filled.env["COLUMNS"]
    piped = filled("orders", "show", LONG_PO)
    assert piped.returncode == 0, piped.stderr
    widths = [len(line) for line in piped.stdout.splitlines()]
    assert max(widths) <= 120  # piped: a readable width, not ~220 columns
    assert "SKU-WITH-A-RATHER-LONG-CODE-1" in piped.stdout


def test_orders_show_is_newest_first_and_hides_polling_reads_unless_all(filled: Cli) -> None:
    shown = filled("orders", "show", LONG_PO)
    out = shown.stdout
    assert out.index("second event") < out.index("first event")
    assert "POST /v3/orders/{purchaseOrderId}/acknowledge" in out
    assert "GET /v3/orders/{purchaseOrderId}" not in out
    assert "5 successful read(s) (polling) not shown; --all shows them." in out
    everything = filled("orders", "show", LONG_PO, "--all").stdout
    assert everything.count("GET /v3/orders/{purchaseOrderId}") == 5
    assert everything.index("POST /v3/orders") < everything.index("GET /v3/orders")  # newest first

    data = json.loads(filled("orders", "show", LONG_PO, "--json").stdout)
    assert data["order"]["purchase_order_id"] == LONG_PO and data["order"]["status"] == "Open"
    assert [e["kind"] for e in data["timeline"]] == ["acknowledged", "received"]
    assert [a["method"] for a in data["attempts"]] == ["POST"] and data["polling_reads_hidden"] == 5
    assert len(json.loads(filled("orders", "show", LONG_PO, "--json", "--all").stdout)["attempts"]) == 6


def test_every_list_and_show_has_json_and_lists_are_newest_first(filled: Cli) -> None:
    orders = json.loads(filled("orders", "list", "--json").stdout)
    assert [o["purchase_order_id"] for o in orders["orders"]] == [LONG_PO, "1000000000001"]
    assert orders["counts"]["Open"] == 2

    jobs = filled("jobs", "list")
    assert jobs.stdout.index("second_job_kind") < jobs.stdout.index("first_job_kind")
    assert LONG_PO in jobs.stdout and "US store" in jobs.stdout
    jobs_json = json.loads(filled("jobs", "list", "--json").stdout)
    assert [j["kind"] for j in jobs_json["jobs"]] == ["second_job_kind", "first_job_kind"]
    assert {j["purchase_order_id"] for j in jobs_json["jobs"]} == {LONG_PO}
    assert "order_id" not in jobs_json["jobs"][0]

    stores = json.loads(filled("stores", "list", "--json").stdout)
    assert stores[0]["name"] == "US store" and stores[0]["walmart"]["client_id"] == "client-1"
    store = json.loads(filled("stores", "show", "US store", "--json").stdout)
    assert store["settings"]["order_creation_path"] == "cart"  # --no-verify: the module not looked for
    assert '"s"' not in json.dumps(store) and '"t"' not in json.dumps(store)  # no secret, ever

    assert json.loads(filled("returns", "list", "--json").stdout) == []
    missing = filled("returns", "show", "RMA-9", "--json")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")
