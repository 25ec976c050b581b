"""The demo's live screen: recent orders with status and latencies, counters, and what just happened."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from channel_manager_sandboxes.commerce import CommerceSandbox
from channel_manager_sandboxes.walmart import WalmartSandbox

from ..domain.orders import PurchaseOrder
from ..domain.statuses import OrderStatus
from ..storage.unit_of_work import Database
from .scenario import DemoOrder

STATUS_STYLES = {
    OrderStatus.OPEN.value: "cyan",
    OrderStatus.PARTIALLY_SHIPPED.value: "yellow",
    OrderStatus.SHIPPED.value: "green",
    OrderStatus.CANCELED.value: "magenta",
    OrderStatus.ERROR.value: "bold red",
}
ROWS = 14


@dataclass(frozen=True)
class OrderRow:
    purchase_order_id: str
    commerce_number: str
    plan: str
    status: str
    details: str
    intake_seconds: float | None
    ship_seconds: float | None


@dataclass
class Latencies:
    """Measured once per order and shipment, from the connector's own records."""

    #: PO -> seconds from "Walmart has the PO" to "Commerce order exists and PO acknowledged".
    intake: dict[str, float] = field(default_factory=dict)
    #: (PO, Commerce shipment id) -> seconds from "merchant created the shipment" to "Walmart has it".
    ship: dict[tuple[str, int], float] = field(default_factory=dict)

    def ship_for(self, purchase_order_id: str) -> float | None:
        values = [s for (po, _), s in self.ship.items() if po == purchase_order_id]
        return max(values) if values else None


@dataclass(frozen=True)
class Snapshot:
    rows: list[OrderRow]
    by_status: dict[str, int]
    jobs: dict[str, int]
    orders_total: int
    intake: list[float]
    ship: list[float]
    walmart_calls: int
    walmart_throttled: int
    applied_twice: int
    lost_responses: int
    duplicate_commerce_orders: int
    events: list[tuple[float, str]]
    elapsed: float


def measure(database: Database, store_id: int, orders: list[DemoOrder], latencies: Latencies) -> None:
    """Fills in the latencies that became known (runs in a thread)."""
    wanted = [
        o
        for o in orders
        if o.purchase_order_id not in latencies.intake
        or any((o.purchase_order_id, s) not in latencies.ship for s in o.shipments)
    ]
    if not wanted:
        return
    with database.unit_of_work(read_only=True) as uow:
        for demo_order in wanted:
            order = uow.orders.get(store_id, demo_order.purchase_order_id)
            if order is None or order.id is None:
                continue
            if demo_order.purchase_order_id not in latencies.intake:
                created = next(
                    (e.at for e in uow.orders.timeline(order.id) if e.kind == "commerce_order_created"), None
                )
                intake = _intake_seconds(order, created)
                if intake is not None:
                    latencies.intake[demo_order.purchase_order_id] = intake
            for shipment_id, made_at in dict(demo_order.shipments).items():
                shipment = next((s for s in order.shipments if s.commerce_shipment_id == shipment_id), None)
                if shipment is not None and shipment.first_synced_at is not None:
                    seconds = max(0.0, shipment.first_synced_at.timestamp() - made_at)
                    latencies.ship[(demo_order.purchase_order_id, shipment_id)] = seconds


def _intake_seconds(order: PurchaseOrder, commerce_created: datetime | None) -> float | None:
    if commerce_created is None or order.acknowledged_at is None:
        return None
    done = max(commerce_created, order.acknowledged_at)
    return max(0.0, (done - order.ordered_at).total_seconds())


def take_snapshot(
    database: Database,
    store_id: int,
    orders: dict[str, DemoOrder],
    latencies: Latencies,
    walmart: WalmartSandbox,
    commerce: CommerceSandbox,
    events: list[tuple[float, str]],
    started: float,
) -> Snapshot:
    demo_orders = list(orders.values())
    measure(database, store_id, demo_orders, latencies)
    with database.unit_of_work(read_only=True) as uow:
        by_status = uow.orders.count_by_status(store_id=store_id)
        jobs = uow.jobs.count_by_state(store_id=store_id)
        summaries = uow.orders.list(store_id=store_id, limit=ROWS)
    rows = [
        OrderRow(
            s.purchase_order_id,
            s.commerce_increment_id or "",
            orders[s.purchase_order_id].plan.value if s.purchase_order_id in orders else "",
            s.status.value,
            s.status_details,
            latencies.intake.get(s.purchase_order_id),
            latencies.ship_for(s.purchase_order_id),
        )
        for s in summaries
    ]
    w = walmart.counters.as_dict()
    return Snapshot(
        rows=rows,
        by_status=by_status,
        jobs=jobs,
        orders_total=sum(by_status.values()),
        intake=sorted(latencies.intake.values()),
        ship=sorted(latencies.ship.values()),
        walmart_calls=int(w["calls_total"]),
        walmart_throttled=int(w["throttled"]),
        applied_twice=int(w["applied_twice"]),
        lost_responses=int(w["lost_responses"]),
        duplicate_commerce_orders=commerce.duplicate_ext_order_ids(),
        events=events,
        elapsed=time.monotonic() - started,
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(fraction * len(values)) - 1))
    return values[index]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} s"


def render(snapshot: Snapshot, header: str) -> RenderableType:
    orders = Table(
        "Walmart Order #",
        "Commerce Order #",
        "Merchant plan",
        "Status",
        "Status details",
        "Intake",
        "Ship sync",
        title=f"Demo store: newest {ROWS} of {snapshot.orders_total} orders",
        title_justify="left",
        expand=True,
    )
    for row in snapshot.rows:
        orders.add_row(
            row.purchase_order_id,
            row.commerce_number,
            row.plan,
            Text(row.status, style=STATUS_STYLES.get(row.status, "")),
            Text(row.details, overflow="ellipsis", no_wrap=True),
            _seconds(row.intake_seconds),
            _seconds(row.ship_seconds),
        )
    counters = Table.grid(padding=(0, 3))
    counters.add_row(
        "Orders: " + "  ".join(f"{name} {count}" for name, count in snapshot.by_status.items()),
        "Jobs: " + "  ".join(f"{name} {count}" for name, count in snapshot.jobs.items()),
    )
    counters.add_row(
        f"Intake latency  p50 {_seconds(percentile(snapshot.intake, 0.5)) or '-'}  "
        f"max {_seconds(snapshot.intake[-1] if snapshot.intake else None) or '-'}  ({len(snapshot.intake)} orders)",
        f"Ship-sync latency  p50 {_seconds(percentile(snapshot.ship, 0.5)) or '-'}  "
        f"max {_seconds(snapshot.ship[-1] if snapshot.ship else None) or '-'}  ({len(snapshot.ship)} shipments)",
    )
    twice = Text(
        f"Walmart changes applied twice: {snapshot.applied_twice}",
        style="bold green" if snapshot.applied_twice == 0 else "bold red",
    )
    counters.add_row(
        twice,
        f"Walmart calls {snapshot.walmart_calls}  (429s {snapshot.walmart_throttled}, "
        f"lost answers {snapshot.lost_responses})   Commerce duplicate orders {snapshot.duplicate_commerce_orders}",
    )
    events = Table.grid()
    for at, text in snapshot.events[-6:]:
        stamp = datetime.fromtimestamp(at, tz=UTC).strftime("%H:%M:%S")
        events.add_row(Text(f"{stamp}  {text}", style="red" if text.startswith("FAULT") else "dim"))
    footer = Text(f"Running {snapshot.elapsed:.0f} s. Ctrl-C stops.", style="dim")
    return Group(
        Text(header, style="bold"), orders, counters, Text("What just happened:", style="bold"), events, footer
    )
