"""``/metrics`` in the Prometheus text format (prometheus_client): calls per side and endpoint with their
latencies, failures per store and job kind, the backlog and its oldest due job."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from channel_manager.domain.access import Role
from channel_manager.service.tokens import create_token
from channel_manager.web.app import create_api_app
from channel_manager.web.state import ServiceState

from .conftest import World

pytestmark = pytest.mark.anyio

SHIP = "POST /v3/orders/{purchaseOrderId}/shipping"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


def _value(samples: list[tuple[dict[str, str], float]], **labels: str) -> float:
    return sum(value for found, value in samples if all(found.get(k) == v for k, v in labels.items()))


async def test_metrics_count_calls_failures_and_the_backlog(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.sync_commerce()
    world.walmart_fault(endpoint=SHIP, mode="error", status=400, count=1000)
    await world.ship_in_commerce(po, {"1": 2})
    await world.sync_commerce()
    with world.database.unit_of_work() as uow:  # two updates due a minute ago, not taken by a worker yet
        due = world.clock() - timedelta(minutes=1)
        for key in ("a", "b"):
            uow.jobs.enqueue("noop", store_id=world.store_id, dedupe_key=f"backlog-{key}", run_after=due, now=due)
        uow.commit()

    _, token = create_token(world.database, "prometheus", Role.METRICS)
    app = create_api_app(ServiceState(world.database, world.context))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cm") as http:
        response = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = _samples(response.text)

    requests = samples["channel_manager_api_requests_total"]
    assert _value(requests, side="Walmart", endpoint="POST /v3/orders/{purchaseOrderId}/acknowledge", outcome="ok") >= 1
    assert _value(requests, side="Walmart", endpoint=SHIP, outcome="client_error") >= 1
    assert _value(requests, side="Commerce", outcome="ok") >= 1
    latency = samples["channel_manager_api_request_duration_seconds_count"]
    assert _value(latency, side="Walmart", endpoint=SHIP) >= 1
    assert "channel_manager_api_request_duration_seconds_bucket" in samples

    failures = samples["channel_manager_job_failures"]
    assert (
        _value(failures, store=world.store.name, store_id=str(world.store_id), kind="ship_lines", state="failed") == 1
    )
    assert _value(samples["channel_manager_jobs_backlog"]) >= 2
    assert _value(samples["channel_manager_oldest_due_job_age_seconds"]) >= 60
    assert _value(samples["channel_manager_jobs"], state="failed") == 1
    assert _value(samples["channel_manager_orders"], status="Error") == 1
    assert "channel_manager_webhook_events_waiting" in samples
