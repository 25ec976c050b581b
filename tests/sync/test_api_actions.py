"""Every CLI action over the API, over real HTTP, against the sandboxes: stores, orders (list, filters,
paging, detail), ship, cancel, refund, retry, resync, returns, jobs, tokens; Idempotency-Key; the audit
trail in the order's timeline; errors as problem+json."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from channel_manager.domain.access import Role
from channel_manager.service import orders as order_service
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from ._api import Api, serving
from .conftest import CLIENT_ID, CLIENT_SECRET, World

pytestmark = pytest.mark.anyio
PROBLEM = "application/problem+json"


async def eventually(check: Callable[[], bool], within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


def _store_body(world: World, name: str, secret: str = CLIENT_SECRET) -> dict[str, object]:
    return {
        "name": name,
        "walmart": {"base_url": world.servers.walmart_url, "client_id": CLIENT_ID, "client_secret": secret},
        "commerce": {"base_url": world.servers.commerce_url, "access_token": DEFAULT_TOKEN},
        "settings": {"order_poll_seconds": 2.5},
        # The world's own store uses the same Walmart account: a second store of it is asked for on purpose.
        "allow_shared_walmart_account": True,
    }


async def test_stores_over_http(world: World) -> None:
    async with serving(world) as api:
        admin = api.auth(Role.ADMIN)
        added = await api.http.post("/api/stores", json=_store_body(world, "Second store"), headers=admin)
        assert added.status_code == 201, added.text
        store = added.json()
        assert store["settings"]["order_poll_seconds"] == 2.5 and store["walmart"]["client_secret_set"] is True
        assert CLIENT_SECRET not in added.text and DEFAULT_TOKEN not in added.text
        # The sandbox has the companion module: the new store creates orders through its route.
        assert store["settings"]["order_creation_path"] == "module"
        assert store["commerce"]["webhook_public_key_set"] is False

        # Live validation: a wrong Walmart secret is refused, naming the side and the field; nothing saved.
        refused = await api.http.post("/api/stores", json=_store_body(world, "Bad", secret="wrong"), headers=admin)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
        assert refused.json()["side"] == "walmart" and refused.json()["field"] == "body.walmart"
        # A bad setting is a 422 naming the field, never a 500.
        body = {**_store_body(world, "Bad"), "settings": {"order_poll_seconds": -1}}
        invalid = await api.http.post("/api/stores", json=body, headers=admin)
        assert invalid.status_code == 422 and invalid.json()["field"] == "body.settings.order_poll_seconds"

        # A webhook public key that is not an RSA PEM key is refused, naming it.
        body = {**_store_body(world, "Bad"), "verify": False}
        body["commerce"] = {**body["commerce"], "webhook_public_key": "not a key"}  # type: ignore[dict-item]
        bad_key = await api.http.post("/api/stores", json=body, headers=admin)
        assert bad_key.status_code == 422 and "webhook_public_key" in bad_key.json()["detail"]
        # Settings that cannot work together are refused with the reason, not saved.
        cart_numbers = await api.http.patch(
            f"/api/stores/{store['id']}",
            json={"order_creation_path": "cart", "order_number_source": "walmart"},
            headers=admin,
        )
        assert cart_numbers.status_code == 422
        assert "order_number_source=walmart needs order_creation_path=module" in cart_numbers.json()["detail"]

        listed = (await api.http.get("/api/stores", headers=api.auth(Role.VIEWER))).json()
        assert sorted(s["name"] for s in listed) == ["E2E store", "Second store"]
        shown = await api.http.get("/api/stores/Second store", headers=api.auth(Role.VIEWER))
        assert shown.json()["id"] == store["id"]
        changed = await api.http.patch(
            f"/api/stores/{store['id']}",
            json={"push_stock_changes": True, "carrier_map": {"ups": "UPS"}},
            headers=admin,
        )
        assert changed.status_code == 200 and changed.json()["settings"]["push_stock_changes"] is True
        assert changed.json()["settings"]["carrier_map"] == {"ups": "UPS"}
        removed = await api.http.delete("/api/stores/Second store", headers=admin)
        assert removed.status_code == 200
        missing = await api.http.get("/api/stores/Second store", headers=admin)
        assert missing.status_code == 404 and missing.json()["detail"] == "There is no store named 'Second store'."
        audit = (await api.http.get("/api/audit", headers=admin)).json()
        assert [e["action"] for e in audit[:3]] == ["store.remove", "store.settings", "store.add"]
        assert {e["actor"] for e in audit[:3]} == {"token:test-admin"}


async def _take_in(world: World, api: Api, lines: list[dict[str, object]]) -> str:
    po = world.walmart_order(lines)
    await world.take_in()
    await eventually(
        lambda: world.order(po).commerce_order_id is not None and world.order(po).acknowledged_at is not None
    )
    return po


async def test_orders_list_filters_sort_and_cursor_paging(world: World) -> None:
    async with serving(world) as api:
        first = await _take_in(world, api, [{"sku": "MUG-1", "quantity": 1}])
        second = await _take_in(world, api, [{"sku": "TEE-2", "quantity": 2}])
        viewer = api.auth(Role.VIEWER)
        page = (await api.http.get("/api/orders", params={"limit": 1}, headers=viewer)).json()
        assert page["counts"]["Open"] == 2 and len(page["orders"]) == 1 and page["next_cursor"]
        rest = (
            await api.http.get("/api/orders", params={"limit": 1, "cursor": page["next_cursor"]}, headers=viewer)
        ).json()
        seen = [page["orders"][0]["purchase_order_id"], rest["orders"][0]["purchase_order_id"]]
        assert sorted(seen) == sorted([first, second])
        by_value = (
            await api.http.get("/api/orders", params={"sort": "order_value", "order": "asc"}, headers=viewer)
        ).json()
        values = [float(o["order_value"]) for o in by_value["orders"]]
        assert values == sorted(values)
        increment = world.order(second).commerce_increment_id
        found = (await api.http.get("/api/orders", params={"search": increment}, headers=viewer)).json()
        assert [o["purchase_order_id"] for o in found["orders"]] == [second]
        later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        none = (await api.http.get("/api/orders", params={"ordered_from": later}, headers=viewer)).json()
        assert none["orders"] == []
        shipped = (await api.http.get("/api/orders", params={"status": "Shipped"}, headers=viewer)).json()
        assert shipped["orders"] == []
        bad = await api.http.get("/api/orders", params={"cursor": "not-a-cursor"}, headers=viewer)
        assert bad.status_code == 422 and bad.json()["field"] == "query.cursor"
        wrong_sort = await api.http.get("/api/orders", params={"sort": "buyer"}, headers=viewer)
        assert wrong_sort.status_code == 422 and wrong_sort.json()["field"] == "query.sort"


async def test_ship_cancel_refund_retry_resync_over_http(world: World) -> None:
    async with serving(world, workers=2) as api:
        po = await _take_in(world, api, [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 1}])
        operator = api.auth(Role.OPERATOR)
        ship = {"lines": {"1": 2}, "carrier": "UPS", "tracking_number": "1ZAPI0001"}

        # A repeated POST with the same Idempotency-Key acts once and answers the same.
        keyed = {**operator, "Idempotency-Key": "ship-once-1"}
        first = await api.http.post(f"/api/orders/{po}/ship", json=ship, headers=keyed)
        again = await api.http.post(f"/api/orders/{po}/ship", json=ship, headers=keyed)
        assert first.status_code == again.status_code == 200, first.text
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        other = await api.http.post(f"/api/orders/{po}/ship", json={**ship, "lines": {"1": 1}}, headers=keyed)
        assert other.status_code == 422 and other.json()["field"] == "header.Idempotency-Key"
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"].get("Shipped") == 2)
        assert len(world.walmart_truth(po)["lines"]["1"]["shipments"]) == 1  # one shipment at Walmart
        commerce_order = world.order(po).commerce_order_id
        assert len([s for s in world.servers.commerce.shipments.values() if s["order_id"] == commerce_order]) == 1

        # Shipping more than is open is refused as bad input, naming the cause.
        too_much = await api.http.post(
            f"/api/orders/{po}/ship", json={**ship, "lines": {"1": 5}, "tracking_number": "1ZAPI0002"}, headers=operator
        )
        assert too_much.status_code == 422 and too_much.headers["content-type"] == PROBLEM
        assert "only 1 is open" in too_much.json()["detail"]
        unknown = await api.http.post("/api/orders/999999/ship", json=ship, headers=operator)
        assert unknown.status_code == 404 and unknown.json()["side"] == "connector"

        cancelled = await api.http.post(f"/api/orders/{po}/cancel", json={"reason": "out_of_stock"}, headers=operator)
        assert cancelled.status_code == 200, cancelled.text
        await eventually(lambda: world.walmart_truth(po)["lines"]["2"]["by_status"].get("Cancelled") == 1)
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"].get("Cancelled") == 1)
        bad_reason = await api.http.post(f"/api/orders/{po}/cancel", json={"reason": "because"}, headers=operator)
        assert bad_reason.status_code == 422 and bad_reason.json()["field"] == "body.reason"

        refunded = await api.http.post(
            f"/api/orders/{po}/refund", json={"lines": {"1": 1}, "reason": "DamagedItem"}, headers=operator
        )
        assert refunded.status_code == 200, refunded.text
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["refunded_product"] != "0.00")

        retried = await api.http.post(f"/api/orders/{po}/retry", headers=operator)
        assert retried.status_code == 200 and retried.json()["retried_jobs"] == 0
        resynced = await api.http.post(f"/api/orders/{po}/resync", headers=operator)
        assert resynced.status_code == 200 and resynced.json()["order"]["status"] == "Shipped"

        detail = (await api.http.get(f"/api/orders/{po}", headers=api.auth(Role.VIEWER))).json()
        assert detail["order"]["lines"][0]["quantities"]["shipped"] == 2
        assert detail["order"]["shipments"][0]["tracking_number"] == "1ZAPI0001"
        assert {c["reason"] for c in detail["order"]["cancellations"]} == {"SELLER_CANCEL_OUT_OF_STOCK"}
        assert detail["order"]["refunds"] and detail["attempts"]
        # The audit trail: who did what, in the order's timeline (once for the repeated ship).
        mine = [e for e in detail["timeline"] if e["actor"] == "token:test-operator"]
        assert [e["kind"] for e in mine] == ["order.ship", "order.cancel", "order.refund", "order.retry", "order.retry",
                                              "order.resync"]  # fmt: skip
        assert "1ZAPI0001" in mine[0]["message"]
        # The CLI shows the same timeline (same service function), and a CLI change names the OS user.
        order_service.retry_order(world.database, po)
        cli_detail = order_service.order_detail(world.database, po)
        assert cli_detail.timeline[-1].actor is not None and cli_detail.timeline[-1].actor.startswith("cli:")
        assert any(e.actor == "token:test-operator" for e in cli_detail.timeline)

        jobs = (await api.http.get("/api/jobs", params={"state": "done"}, headers=api.auth(Role.VIEWER))).json()
        assert jobs["counts"]["failed"] == 0 and {"ship_lines", "cancel_lines"} <= {j["kind"] for j in jobs["jobs"]}
        not_failed = await api.http.post(f"/api/jobs/{jobs['jobs'][0]['id']}/retry", headers=operator)
        assert not_failed.status_code == 409
        assert (await api.http.get("/api/returns", headers=api.auth(Role.VIEWER))).json() == []
        no_return = await api.http.post("/api/returns/RMA-NONE/refund", json={}, headers=operator)
        assert no_return.status_code == 404
        world.assert_nothing_duplicated()


async def test_tokens_over_http(world: World) -> None:
    async with serving(world) as api:
        admin = {**api.auth(Role.ADMIN), "Idempotency-Key": "token-1"}
        created = await api.http.post("/api/tokens", json={"name": "ci", "role": "operator"}, headers=admin)
        assert created.status_code == 201 and created.json()["token"].startswith("cm_")
        token = created.json()["token"]
        # The token is never kept for a replay: a repeat says so instead of showing it again.
        again = await api.http.post("/api/tokens", json={"name": "ci", "role": "operator"}, headers=admin)
        assert again.status_code == 409 and token not in again.text
        listed = (await api.http.get("/api/tokens", headers=api.auth(Role.ADMIN))).json()
        assert "ci" in [t["name"] for t in listed] and token not in str(listed)
        works = await api.http.get("/api/jobs", headers={"Authorization": f"Bearer {token}"})
        assert works.status_code == 200
        duplicate = await api.http.post(
            "/api/tokens", json={"name": "ci", "role": "viewer"}, headers=api.auth(Role.ADMIN)
        )
        assert duplicate.status_code == 409
        with world.database.unit_of_work() as uow:
            stored = str(uow.connection.exec_driver_sql("SELECT * FROM api_tokens").all())
            kept = str(uow.connection.exec_driver_sql("SELECT * FROM idempotency_keys").all())
        assert token not in stored and token not in kept


async def test_returns_over_http(world: World) -> None:
    from .test_returns_refunds import deliver, open_return, poll_returns

    async with serving(world) as api:
        po = await _take_in(world, api, [{"sku": "MUG-1", "quantity": 2}])
        await world.ship_in_commerce(po, {"1": 2})
        await world.sync_commerce()
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"].get("Shipped") == 2)
        deliver(world, po, 1)
        rma = open_return(world, po, [("1", 2, "DAMAGED")])
        await poll_returns(world)
        viewer = api.auth(Role.VIEWER)
        listed = (await api.http.get("/api/returns", params={"status": "Received"}, headers=viewer)).json()
        assert [r["return_order_id"] for r in listed] == [rma]
        shown = (await api.http.get(f"/api/returns/{rma}", headers=viewer)).json()
        assert shown["lines"][0]["quantity"] == 2 and shown["status"] == "Received"
        keyed = {**api.auth(Role.OPERATOR), "Idempotency-Key": f"refund-{rma}"}
        refunded = await api.http.post(f"/api/returns/{rma}/refund", json={}, headers=keyed)
        assert refunded.status_code == 200, refunded.text
        again = await api.http.post(f"/api/returns/{rma}/refund", json={}, headers=keyed)
        assert again.json() == refunded.json()
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["refunded_product"] not in ("0.00", "0", None))
        await eventually(lambda: world.order(po).refunds != [] and world.order(po).refunds[0].return_order_id == rma)
        assert len(world.order(po).refunds) == 1  # the repeat did not refund again
        nothing_left = await api.http.post(f"/api/returns/{rma}/refund", json={}, headers=api.auth(Role.OPERATOR))
        assert nothing_left.status_code == 422 and "nothing left to refund" in nothing_left.json()["detail"]
        world.assert_nothing_duplicated()


async def test_ship_over_http_with_the_buyers_request_to_cancel(world: World) -> None:
    async with serving(world, workers=1) as api:
        po = await _take_in(world, api, [{"sku": "MUG-1", "quantity": 2}])
        world.servers.walmart.set_intent_to_cancel(po, "1")
        operator = api.auth(Role.OPERATOR)
        # The merchant ships in Commerce, before channel-manager saw the request: Walmart refuses it.
        await world.ship_in_commerce(po, {"1": 2}, tracking="1ZAPIASK01")
        await world.sync_commerce()
        await eventually(lambda: world.order(po).problem is not None)
        viewed = (await api.http.get(f"/api/orders/{po}", headers=operator)).json()["order"]
        assert viewed["status"] == "Error" and viewed["lines"][0]["intent_to_cancel"]
        assert '"override_intent_to_cancel": true' in viewed["status_details"]

        incomplete = await api.http.post(f"/api/orders/{po}/ship", json={"carrier": "UPS"}, headers=operator)
        assert incomplete.status_code == 422 and "tracking_number" in incomplete.text
        body = {"override_intent_to_cancel": True}
        anyway = await api.http.post(f"/api/orders/{po}/ship", json=body, headers=operator)
        assert anyway.status_code == 200, anyway.text
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"].get("Shipped") == 2)
        await eventually(lambda: world.order(po).problem is None)
        assert world.walmart_truth(po)["lines"]["1"]["tracking_numbers"] == ["1ZAPIASK01"]
        world.assert_nothing_duplicated()
