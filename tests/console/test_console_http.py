"""The console over real HTTP (the `run` listeners over a world with both sandboxes): sign-in and its
cookie, CSRF, roles, the Orders page, and Ship through the confirm step landing at Walmart's sandbox."""

from __future__ import annotations

import re

import httpx
import pytest

from channel_manager.domain.access import Role
from channel_manager.service import console_users
from sync._api import Api, serving
from sync.conftest import World
from sync.test_intent_to_cancel import buyer_asks_to_cancel

pytestmark = pytest.mark.anyio
PASSWORD = "console password 1"


async def sign_in(api: Api, name: str, password: str = PASSWORD) -> httpx.Response:
    page = await api.http.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return await api.http.post(
        "/console/sign-in",
        data={"csrf_token": token.group(1), "name": name, "password": password, "next": "/console/orders"},
        headers={"Cookie": f"cm_sign_in={page.cookies['cm_sign_in']}"},
    )


def session_cookie(response: httpx.Response) -> dict[str, str]:
    return {"Cookie": f"cm_console={response.cookies['cm_console']}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_sign_in_cookie_csrf_roles_and_ship(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    console_users.create_user(world.database, "olga", Role.OPERATOR, PASSWORD, actor="test")
    console_users.create_user(world.database, "vic", Role.VIEWER, PASSWORD, actor="test")
    async with serving(world) as api:
        assert (await api.http.get("/")).headers["location"] == "/console"
        away = await api.http.get("/console/orders")
        assert away.status_code == 303 and away.headers["location"].startswith("/console/sign-in?next=")

        wrong = await sign_in(api, "olga", "not the password")
        assert wrong.status_code == 401 and "user name or password is wrong" in wrong.text

        signed = await sign_in(api, "olga")
        assert signed.status_code == 303 and signed.headers["location"] == "/console/orders"
        cookie = signed.headers["set-cookie"]
        for attribute in ("Secure", "HttpOnly", "SameSite=strict"):
            assert attribute.lower() in cookie.lower(), cookie
        olga = session_cookie(signed)

        orders = await api.http.get("/console/orders", headers=olga)
        assert orders.status_code == 200 and "Walmart Order #" in orders.text
        docs = await api.http.get("/docs", headers=olga)  # the API's documentation, with the session
        assert docs.status_code == 200
        forged = await api.http.post("/api/orders/1/retry", headers=olga)  # no X-CSRF-Token: refused
        assert forged.status_code == 401

        no_csrf = await api.http.post(f"/console/orders/{po}/retry", data={"store": str(world.store_id)}, headers=olga)
        assert no_csrf.status_code == 403 and "Form expired" in no_csrf.text

        viewer = session_cookie(await sign_in(api, "vic"))
        page = await api.http.get("/console/orders", headers=viewer)
        refused = await api.http.post(
            f"/console/orders/{po}/retry",
            data={"store": str(world.store_id), "csrf_token": csrf_of(page.text)},
            headers=viewer,
        )
        assert refused.status_code == 403 and "needs operator" in refused.text

        out = await api.http.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)}, headers=viewer)
        assert out.status_code == 303
        assert (await api.http.get("/console/orders", headers=viewer)).status_code == 303


async def test_ship_anyway_sends_the_waiting_shipment_once_with_the_override(world: World) -> None:
    """The buyer asked to cancel line 1; the merchant shipped it in Commerce and Walmart refused (the order in
    Error with both choices). "Ship anyway" in the console confirms, then sends that shipment again with
    ``intentToCancelOverride``: Walmart ships it, once."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    buyer_asks_to_cancel(world, po, "1")
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZANYWAY0001")
    await world.sync_commerce()
    assert world.order(po).problem is not None
    console_users.create_user(world.database, "olga", Role.OPERATOR, PASSWORD, actor="test")
    async with serving(world) as api:
        olga = session_cookie(await sign_in(api, "olga"))
        detail = await api.http.get(f"/console/orders/{po}?store={world.store_id}", headers=olga)
        assert detail.status_code == 200 and "Ship anyway" in detail.text
        form = {
            "csrf_token": csrf_of(detail.text), "store": str(world.store_id),
            "override_intent_to_cancel": "on", "ship_anyway": "on",
        }  # fmt: skip
        confirm = await api.http.post(f"/console/orders/{po}/ship", data=form, headers=olga)
        assert confirm.status_code == 200 and "with the intent-to-cancel override" in confirm.text
        assert world.walmart_truth(po)["lines"]["1"]["by_status"].get("Shipped", 0) == 0  # nothing sent yet
        sent = await api.http.post(f"/console/orders/{po}/ship", data={**form, "step": "send"}, headers=olga)
        assert sent.status_code == 303, sent.text
    await world.drain()
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["by_status"] == {"Shipped": 2}
    assert truth["lines"]["1"]["tracking_numbers"] == ["1ZANYWAY0001"]
    assert world.order(po).problem is None
    world.assert_nothing_duplicated()
