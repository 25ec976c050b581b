"""Async client for the Adobe Commerce / Magento 2.4 admin REST API (one per store view).

Usage::

    async with CommerceClient("https://shop.example", BearerToken("..."), store_code="default") as cc:
        order = await cc.create_order(channel_order, path="module", invoice=True)
        shipment_id = await cc.ship_order(order.entity_id, items=[(item_id, 1)],
                                          tracks=[("ups", "UPS", "1Z999")])
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from channel_manager.commerce.auth import CommerceAuth
from channel_manager.commerce.errors import (
    CommerceCancelRefusedError,
    CommerceError,
    CommerceNotFoundError,
    CommerceOrderMismatchError,
    CommerceProductUnavailableError,
)
from channel_manager.commerce.http_attempts import AttemptCallback
from channel_manager.commerce.models import (
    CHANNEL_MANAGER_MODULE,
    CHANNEL_PAYMENT_METHOD,
    CHANNEL_SHIPPING_CARRIER,
    ChannelOrder,
    CommerceCreditMemo,
    CommerceOrder,
    CommerceShipment,
    CreatedCommerceOrder,
    OrderCreationPath,
    SearchPage,
    SourceItem,
)
from channel_manager.commerce.order_payloads import (
    cart_item,
    direct_order_entity,
    match_items_to_lines,
    module_order_body,
    place_order_body,
    shipping_information,
    tag_order_entity,
)
from channel_manager.commerce.search_criteria import SearchCriteria, commerce_timestamp
from channel_manager.commerce.transport import CommerceTransport


def _as_int(value: Any, what: str) -> int:
    """Commerce declares ids as integers but sometimes sends numeric strings (``"123"``)."""
    if isinstance(value, bool):
        raise CommerceError(f"Commerce answered {what} with {value!r} instead of an id")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommerceError(f"Commerce answered {what} with {value!r} instead of an id") from None


def _order_label(order_id: int, increment_id: str | None) -> str:
    return increment_id if increment_id else f"#{order_id} (entity id)"


class CommerceClient:
    def __init__(
        self,
        base_url: str,
        auth: CommerceAuth,
        *,
        store_code: str | None = None,
        timeout: float = 30.0,
        on_attempt: AttemptCallback | None = None,
        page_size: int = 100,
    ) -> None:
        self._transport = CommerceTransport(
            base_url, auth, store_code=store_code, timeout=timeout, on_attempt=on_attempt
        )
        self.page_size = page_size
        #: SKU -> product id of enabled products seen (ids never change; cached for the client's life, a run).
        self._product_ids: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"CommerceClient({self._transport.store_url!r})"

    async def __aenter__(self) -> CommerceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    @property
    def is_open(self) -> bool:
        """Whether the client holds a connection pool now (from its first call until it is closed or idle)."""
        return self._transport.is_open

    async def close_if_idle(self, idle_seconds: float) -> bool:
        """Closes the connection pool when no call used it for ``idle_seconds``; the next call opens it again."""
        return await self._transport.close_if_idle(idle_seconds)

    async def _call(self, method: str, template: str, **kwargs: Any) -> Any:
        return await self._transport.request(method, template, **kwargs)

    # ------------------------------------------------------------------ store

    async def check_credentials(self) -> list[dict[str, Any]]:
        """A cheap authenticated read (``GET /V1/store/storeViews``) to validate a store on save."""
        views = await self._call("GET", "/V1/store/storeViews", action="the store view list")
        return list(views or [])

    async def module_info(self) -> dict[str, Any] | None:
        """``GET /V1/channel-manager/info``: what the companion module says of itself, or ``None`` when it is not
        installed (Commerce's 404 "Request does not match any route.")."""
        try:
            data = await self._call("GET", "/V1/channel-manager/info", action="the Channel Manager module check")
        except CommerceNotFoundError:
            return None
        if isinstance(data, dict) and data.get("module") == CHANNEL_MANAGER_MODULE:
            return data
        return None

    # ------------------------------------------------------------------ catalog

    async def product_ids(self, skus: Iterable[str], *, batch_size: int = 50) -> dict[str, int]:
        """SKU -> product id, through ``GET /V1/products`` with ``sku in (...)`` in batches; cached per client.

        A SKU that is not in the catalog, or whose product is disabled, raises
        :class:`CommerceProductUnavailableError` naming it (the first one, in the order given).
        """
        wanted = list(dict.fromkeys(skus))
        missing = [sku for sku in wanted if sku not in self._product_ids]
        disabled: set[str] = set()
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            criteria = SearchCriteria().where("sku", batch, "in").page(len(batch), 1)
            page = await self.search("/V1/products", criteria, action="the catalog lookup of the order's SKUs")
            for product in page.items:
                sku = str(product.get("sku", ""))
                if int(product.get("status") or 1) != 1:
                    disabled.add(sku)
                else:
                    self._product_ids[sku] = _as_int(product.get("id"), f"the id of product {sku}")
        for sku in wanted:
            if sku in disabled:
                raise CommerceProductUnavailableError(
                    f'Commerce refused the order: product "{sku}" is disabled; enable it in the catalog', sku=sku
                )
            if sku not in self._product_ids:
                raise CommerceProductUnavailableError(
                    f'Commerce refused the order: the product with SKU "{sku}" does not exist in the catalog; '
                    "add it (or fix the SKU at Walmart)",
                    sku=sku,
                )
        return {sku: self._product_ids[sku] for sku in wanted}

    # ------------------------------------------------------------------ searching

    async def search(self, template: str, criteria: SearchCriteria, *, action: str | None = None) -> SearchPage:
        data = await self._call("GET", template, query=criteria.to_params(), action=action)
        if not isinstance(data, dict):
            raise CommerceError(f"Commerce answered GET {template} with {type(data).__name__}, not a search result")
        return SearchPage(items=list(data.get("items") or []), total_count=int(data.get("total_count") or 0))

    async def iter_search(
        self, template: str, criteria: SearchCriteria, *, page_size: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every match, page by page; stops on ``total_count`` (Commerce repeats the last page
        when asked for one past the end) or on a short page."""
        size = page_size or criteria.page_size or self.page_size
        page = 1
        while True:
            result = await self.search(template, criteria.page(size, page))
            for item in result.items:
                yield item
            if len(result.items) < size or page * size >= result.total_count:
                return
            page += 1

    async def search_orders(self, criteria: SearchCriteria) -> list[CommerceOrder]:
        """One page (or everything, when ``criteria`` has no page size) of ``GET /V1/orders``."""
        page = await self.search("/V1/orders", criteria, action="the order search")
        return [CommerceOrder.from_commerce(item) for item in page.items]

    async def iter_orders(
        self, criteria: SearchCriteria, *, page_size: int | None = None
    ) -> AsyncIterator[CommerceOrder]:
        async for item in self.iter_search("/V1/orders", criteria, page_size=page_size):
            yield CommerceOrder.from_commerce(item)

    async def list_orders_updated_since(
        self,
        since: datetime,
        *,
        overlap_seconds: float = 2.0,
        store_id: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[CommerceOrder]:
        """Orders whose ``updated_at`` is at or after ``since - overlap``, oldest change first.

        Keyset paging on (``updated_at``, ``entity_id``): each query starts at the last timestamp
        seen, so orders changing while we page cannot shift rows past us. ``updated_at`` has 1 s
        resolution, hence the overlap; a given (entity_id, updated_at) is yielded once per call.
        """
        size = page_size or self.page_size
        cursor = commerce_timestamp(since - timedelta(seconds=overlap_seconds))
        condition: Any = "gteq"
        seen: set[tuple[int, str]] = set()
        base = SearchCriteria()
        if store_id is not None:
            base = base.where("store_id", store_id)
        while True:
            criteria = (
                base.where("updated_at", cursor, condition)
                .order_by("updated_at", "ASC")
                .order_by("entity_id", "ASC")
                .page(size, 1)
            )
            page = await self.search("/V1/orders", criteria, action="the order search")
            orders = [CommerceOrder.from_commerce(item) for item in page.items]
            for order in orders:
                key = (order.entity_id, order.updated_at_text or "")
                if key not in seen:
                    seen.add(key)
                    yield order
            if len(orders) < size or page.total_count <= size:
                return
            first, last = orders[0].updated_at_text or "", orders[-1].updated_at_text or ""
            if first != last:
                cursor, condition = last, "gteq"
                continue
            # A whole page shares one second: page through that second, then move past it.
            same_second = base.where("updated_at", last, "eq").order_by("entity_id", "ASC")
            async for item in self.iter_search("/V1/orders", same_second, page_size=size):
                order = CommerceOrder.from_commerce(item)
                key = (order.entity_id, order.updated_at_text or "")
                if key not in seen:
                    seen.add(key)
                    yield order
            cursor, condition = last, "gt"

    # ------------------------------------------------------------------ orders

    async def get_order(self, order_id: int) -> CommerceOrder:
        data = await self._call(
            "GET",
            "/V1/orders/{id}",
            path_params={"id": order_id},
            order_id=order_id,
            action=f"order #{order_id} (entity id)",
        )
        return CommerceOrder.from_commerce(data)

    async def find_order_by_ext_order_id(
        self, ext_order_id: str, *, store_id: int | None = None
    ) -> CommerceOrder | None:
        """The order whose ``ext_order_id`` is ``ext_order_id`` (the Walmart PO), or ``None``.

        When several exist (someone created a duplicate), the oldest is returned.
        """
        criteria = SearchCriteria().where("ext_order_id", ext_order_id)
        if store_id is not None:
            criteria = criteria.where("store_id", store_id)
        criteria = criteria.order_by("entity_id", "ASC").page(10, 1)
        found = await self.search_orders(criteria)
        return found[0] if found else None

    async def create_order(
        self,
        channel_order: ChannelOrder,
        *,
        path: OrderCreationPath = "module",
        store_id: int = 1,
        invoice: bool = False,
        payment_method: str = CHANNEL_PAYMENT_METHOD,
        carrier_code: str = CHANNEL_SHIPPING_CARRIER,
        method_code: str | None = None,
    ) -> CreatedCommerceOrder:
        """Create the Commerce order of a Walmart PO, or return the one that already exists.

        Looks up ``ext_order_id eq <PO>`` first (the caller's link table is the real guard). ``module``: the
        companion module's route (it resolves the SKUs through its quote), idempotent by its own link table.
        ``cart``: the store's ``payment_method`` and ``carrier_code``/``method_code`` (default: the
        module's); the cart path also adopts an order it placed but could not tag (crash
        between the two calls). ``direct``: an order save whose items carry product ids resolved through the
        catalog (a missing or disabled product raises :class:`CommerceProductUnavailableError` naming the SKU);
        a real store makes no reservation and runs no totals for it (NOTES §7B).
        """
        if path not in ("module", "cart", "direct"):
            raise ValueError(f"unknown order creation path {path!r}")
        if channel_order.increment_id is not None and path != "module":
            raise ValueError("only the module route can give an order its own increment id")
        existing = await self.find_order_by_ext_order_id(channel_order.purchase_order_id, store_id=store_id)
        if existing is not None:
            return CreatedCommerceOrder(**existing.model_dump(), already_existed=True, creation_path=None)
        po = channel_order.purchase_order_id
        if path == "module":
            placed = await self._call(
                "POST",
                "/V1/channel-manager/orders",
                body=module_order_body(channel_order, store_id=store_id),
                action=f"order creation for PO {po} (Channel Manager module)",
            )
            if not isinstance(placed, dict):
                raise CommerceError(f"Commerce answered the module's order creation for PO {po} with {placed!r}")
            order = await self.get_order(_as_int(placed.get("entity_id"), "POST /V1/channel-manager/orders"))
        elif path == "direct":
            product_ids = await self.product_ids(line.sku for line in channel_order.lines)
            data = await self._call(
                "POST",
                "/V1/orders",
                body=direct_order_entity(channel_order, store_id=store_id, product_ids=product_ids),
                action=f"order creation for PO {po}",
            )
            order = CommerceOrder.from_commerce(data)
        else:
            adopted = await self._adopt_untagged_order(channel_order, store_id)
            if adopted is None:
                placed_id = await self._place_cart_order(
                    channel_order, payment_method=payment_method, carrier_code=carrier_code, method_code=method_code
                )
                adopted = await self.get_order(placed_id)
            order = await self._tag_cart_order(channel_order, adopted)
        if invoice:
            await self.invoice_order(order.entity_id, increment_id=order.increment_id)
            order = await self.get_order(order.entity_id)
        return CreatedCommerceOrder(**order.model_dump(), already_existed=False, creation_path=path)

    async def _place_cart_order(
        self, channel_order: ChannelOrder, *, payment_method: str, carrier_code: str, method_code: str | None
    ) -> int:
        po = channel_order.purchase_order_id
        cart_id = _as_int(await self._call("POST", "/V1/carts/", action=f"the cart for PO {po}"), "POST /V1/carts/")
        for line in channel_order.lines:
            await self._call(
                "POST",
                "/V1/carts/{cartId}/items",
                path_params={"cartId": cart_id},
                body=cart_item(cart_id, line),
                action=f"SKU {line.sku} of PO {po}",
            )
        await self._call(
            "POST",
            "/V1/carts/{cartId}/shipping-information",
            path_params={"cartId": cart_id},
            body=shipping_information(channel_order, carrier_code=carrier_code, method_code=method_code),
            action=f"the shipping of PO {po}",
        )
        placed = await self._call(
            "PUT",
            "/V1/carts/{cartId}/order",
            path_params={"cartId": cart_id},
            body=place_order_body(payment_method),
            action=f"the order placement for PO {po}",
        )
        return _as_int(placed, "PUT /V1/carts/{cartId}/order")

    async def _adopt_untagged_order(self, channel_order: ChannelOrder, store_id: int) -> CommerceOrder | None:
        """An order placed for this PO whose tagging never happened: same relay e-mail, no
        ``ext_order_id``, same SKUs and quantities."""
        criteria = (
            SearchCriteria()
            .where("customer_email", channel_order.customer_email)
            .where("ext_order_id", "", "null")
            .where("store_id", store_id)
            .order_by("entity_id", "ASC")
            .page(20, 1)
        )
        for candidate in await self.search_orders(criteria):
            try:
                match_items_to_lines(candidate.items, channel_order.lines)
            except ValueError:
                continue
            return candidate
        return None

    async def _tag_cart_order(self, channel_order: ChannelOrder, order: CommerceOrder) -> CommerceOrder:
        try:
            mapping = match_items_to_lines(order.items, channel_order.lines)
        except ValueError as exc:
            raise CommerceOrderMismatchError(
                f"Commerce order {order.increment_id} placed for PO {channel_order.purchase_order_id} "
                f"does not match it: {exc}",
                order_id=order.entity_id,
            ) from exc
        body = tag_order_entity(
            order.entity_id,
            order.increment_id,
            channel_order.purchase_order_id,
            channel_order.customer_order_id,
            mapping,
            {item.item_id: item.sku for item in order.items},
        )
        await self._call(
            "POST",
            "/V1/orders",
            body=body,
            order_id=order.entity_id,
            action=f"tagging order {order.increment_id} with PO {channel_order.purchase_order_id}",
        )
        await self.add_order_comment(order.entity_id, channel_order.comment(), status=order.status)
        return await self.get_order(order.entity_id)

    async def add_order_comment(
        self,
        order_id: int,
        comment: str,
        *,
        status: str | None = None,
        notify_customer: bool = False,
        visible_on_front: bool = False,
    ) -> bool:
        """Add a status-history comment; ``status`` defaults to the order's current status
        (older 2.4 releases set the status to NULL when it is omitted)."""
        if status is None:
            status = (await self.get_order(order_id)).status
        history = {
            "comment": comment,
            "status": status,
            "parent_id": order_id,
            "is_customer_notified": int(notify_customer),
            "is_visible_on_front": int(visible_on_front),
        }
        result = await self._call(
            "POST",
            "/V1/orders/{id}/comments",
            path_params={"id": order_id},
            body={"statusHistory": history},
            order_id=order_id,
            action=f"the comment on order #{order_id}",
        )
        return bool(result)

    async def cancel_order(self, order_id: int, *, increment_id: str | None = None) -> None:
        """Cancel the whole order; raises :class:`CommerceCancelRefusedError` when Commerce says no."""
        label = _order_label(order_id, increment_id)
        result = await self._call(
            "POST",
            "/V1/orders/{id}/cancel",
            path_params={"id": order_id},
            order_id=order_id,
            action=f"the cancellation of order {label}",
        )
        if result is not True:
            raise CommerceCancelRefusedError(
                f"Commerce refused to cancel order {label}: the order cannot be cancelled in its current "
                "state (fully invoiced, on hold, complete, closed or already canceled); refund it with a "
                "credit memo instead",
                http_status=200,
                order_id=order_id,
                endpoint="POST /V1/orders/{id}/cancel",
            )

    async def hold_order(self, order_id: int, *, increment_id: str | None = None) -> None:
        await self._call(
            "POST",
            "/V1/orders/{id}/hold",
            path_params={"id": order_id},
            order_id=order_id,
            action=f"the hold of order {_order_label(order_id, increment_id)}",
        )

    async def unhold_order(self, order_id: int, *, increment_id: str | None = None) -> None:
        await self._call(
            "POST",
            "/V1/orders/{id}/unhold",
            path_params={"id": order_id},
            order_id=order_id,
            action=f"the release of order {_order_label(order_id, increment_id)}",
        )

    async def invoice_order(
        self,
        order_id: int,
        items: Iterable[tuple[int, float]] | None = None,
        *,
        notify: bool = False,
        increment_id: str | None = None,
    ) -> int:
        """Invoice offline (``capture: false``); ``items=None`` invoices everything. → invoice id."""
        body: dict[str, Any] = {"capture": False, "notify": notify}
        if items is not None:
            body["items"] = [{"order_item_id": item_id, "qty": qty} for item_id, qty in items]
        result = await self._call(
            "POST",
            "/V1/order/{orderId}/invoice",
            path_params={"orderId": order_id},
            body=body,
            order_id=order_id,
            action=f"the invoice for order {_order_label(order_id, increment_id)}",
        )
        return _as_int(result, "POST /V1/order/{orderId}/invoice")

    # ------------------------------------------------------------------ shipments

    async def ship_order(
        self,
        order_id: int,
        items: Iterable[tuple[int, float]] = (),
        tracks: Iterable[tuple[str, str, str] | tuple[str, str, str, str]] = (),
        *,
        source_code: str = "default",
        notify: bool = False,
        comment: str | None = None,
        increment_id: str | None = None,
    ) -> int:
        """``POST /V1/order/{orderId}/ship``; ``items`` = ``(order_item_id, qty)`` (empty = all),
        ``tracks`` = ``(carrier_code, title, track_number[, description])``; the description carries the
        tracking URL of a carrier Walmart does not know. → shipment id."""
        body: dict[str, Any] = {
            "items": [{"order_item_id": item_id, "qty": qty} for item_id, qty in items],
            "notify": notify,
            "tracks": [_track(*track) for track in tracks],
            "arguments": {"extension_attributes": {"source_code": source_code}},
        }
        if comment:
            body["comment"] = {"comment": comment, "is_visible_on_front": 0}
            body["appendComment"] = True
        result = await self._call(
            "POST",
            "/V1/order/{orderId}/ship",
            path_params={"orderId": order_id},
            body=body,
            order_id=order_id,
            action=f"the shipment for order {_order_label(order_id, increment_id)}",
        )
        return _as_int(result, "POST /V1/order/{orderId}/ship")

    async def add_shipment_track(
        self,
        order_id: int,
        shipment_id: int,
        carrier_code: str,
        title: str,
        track_number: str,
        description: str | None = None,
    ) -> dict[str, Any]:
        """``POST /V1/shipment/track``: adds a track to an existing shipment (a corrected tracking number
        is a new, latest track). → the saved track."""
        entity = {
            "order_id": order_id,
            "parent_id": shipment_id,
            **_track(carrier_code, title, track_number, description),
            "qty": 0,
            "weight": 0,
        }
        entity.setdefault("description", "")
        result = await self._call(
            "POST",
            "/V1/shipment/track",
            body={"entity": entity},
            order_id=order_id,
            action=f"the tracking number of shipment #{shipment_id}",
        )
        if not isinstance(result, dict):
            raise CommerceError(f"Commerce answered POST /V1/shipment/track with {result!r} instead of a track")
        return result

    async def get_shipment(self, shipment_id: int) -> CommerceShipment:
        data = await self._call(
            "GET", "/V1/shipment/{id}", path_params={"id": shipment_id}, action=f"shipment #{shipment_id}"
        )
        return CommerceShipment.from_commerce(data)

    async def list_shipments(
        self, order_id: int | None = None, created_since: datetime | None = None
    ) -> list[CommerceShipment]:
        criteria = self._document_criteria(order_id, created_since)
        return [CommerceShipment.from_commerce(item) async for item in self.iter_search("/V1/shipments", criteria)]

    # ------------------------------------------------------------------ credit memos

    async def refund_order(
        self,
        order_id: int,
        items: Iterable[tuple[int, float]] = (),
        *,
        return_to_stock_items: Sequence[int] = (),
        shipping_amount: float | None = 0.0,
        adjustment_positive: float = 0.0,
        adjustment_negative: float = 0.0,
        comment: str | None = None,
        notify: bool = False,
        increment_id: str | None = None,
    ) -> int:
        """Offline refund by credit memo (``POST /V1/order/{orderId}/refund``). ``items`` empty =
        everything refundable; ``shipping_amount=None`` refunds the remaining shipping. → credit memo id."""
        arguments: dict[str, Any] = {
            "adjustment_positive": adjustment_positive,
            "adjustment_negative": adjustment_negative,
            "extension_attributes": {"return_to_stock_items": list(return_to_stock_items)},
        }
        if shipping_amount is not None:
            arguments["shipping_amount"] = shipping_amount
        body: dict[str, Any] = {
            "items": [{"order_item_id": item_id, "qty": qty} for item_id, qty in items],
            "notify": notify,
            "arguments": arguments,
        }
        if comment:
            body["comment"] = {"comment": comment, "is_visible_on_front": 0}
            body["appendComment"] = True
        result = await self._call(
            "POST",
            "/V1/order/{orderId}/refund",
            path_params={"orderId": order_id},
            body=body,
            order_id=order_id,
            action=f"the credit memo for order {_order_label(order_id, increment_id)}",
        )
        return _as_int(result, "POST /V1/order/{orderId}/refund")

    async def get_credit_memo(self, credit_memo_id: int) -> CommerceCreditMemo:
        data = await self._call(
            "GET", "/V1/creditmemo/{id}", path_params={"id": credit_memo_id}, action=f"credit memo #{credit_memo_id}"
        )
        return CommerceCreditMemo.from_commerce(data)

    async def list_credit_memos(
        self, order_id: int | None = None, created_since: datetime | None = None
    ) -> list[CommerceCreditMemo]:
        criteria = self._document_criteria(order_id, created_since)
        return [CommerceCreditMemo.from_commerce(item) async for item in self.iter_search("/V1/creditmemos", criteria)]

    @staticmethod
    def _document_criteria(order_id: int | None, created_since: datetime | None) -> SearchCriteria:
        criteria = SearchCriteria()
        if order_id is not None:
            criteria = criteria.where("order_id", order_id)
        if created_since is not None:
            criteria = criteria.where("created_at", created_since, "gteq")
        return criteria.order_by("entity_id", "ASC")

    # ------------------------------------------------------------------ inventory

    async def get_source_items(self, sku: str) -> list[SourceItem]:
        criteria = SearchCriteria().where("sku", sku)
        page = await self.search("/V1/inventory/source-items", criteria, action=f"the stock of SKU {sku}")
        return [
            SourceItem(
                sku=i["sku"],
                source_code=i["source_code"],
                quantity=float(i.get("quantity", 0)),
                status=int(i.get("status", 0)),
            )
            for i in page.items
        ]

    async def set_source_item(
        self, sku: str, quantity: float, *, source_code: str = "default", status: int | None = None
    ) -> None:
        """Set the absolute quantity of ``sku`` at ``source_code``; ``status`` defaults to in stock
        when ``quantity > 0``."""
        item = {
            "sku": sku,
            "source_code": source_code,
            "quantity": quantity,
            "status": status if status is not None else int(quantity > 0),
        }
        await self._call(
            "POST", "/V1/inventory/source-items", body={"sourceItems": [item]}, action=f"the stock of SKU {sku}"
        )

    async def get_salable_quantity(self, sku: str, stock_id: int = 1) -> float:
        result = await self._call(
            "GET",
            "/V1/inventory/get-product-salable-quantity/{sku}/{stockId}",
            path_params={"sku": sku, "stockId": stock_id},
            action=f"the salable quantity of SKU {sku}",
        )
        try:
            return float(result)
        except (TypeError, ValueError):
            raise CommerceError(f"Commerce answered the salable quantity of SKU {sku} with {result!r}") from None


def _track(carrier_code: str, title: str, number: str, description: str | None = None) -> dict[str, Any]:
    track = {"carrier_code": carrier_code, "title": title, "track_number": number}
    if description:
        track["description"] = description
    return track
