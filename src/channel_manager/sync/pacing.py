"""Which seller budget a job spends, and how long a worker may wait for it while holding the job.

A worker that sleeps on one seller's Walmart rate limit holds its job and its place: with a backlog at one seller
every worker would end up asleep on that seller's bucket while other sellers' jobs wait. So a worker waits at
most ``MAX_RATE_WAIT_SECONDS`` for a budget; a longer wait gives the job back, due when the budget allows
(``service.jobs.defer_job``: not an attempt, its ``may_be_in_effect`` marker untouched)."""

from __future__ import annotations

from ..service.context import StoreLink
from ..service.outbox import JobKind

#: The longest a worker sleeps on a seller's budget while holding a job.
MAX_RATE_WAIT_SECONDS = 0.5

#: The Walmart call (its rate-limit group) each kind of job is there to make.
WALMART_ENDPOINT_OF_KIND: dict[str, str] = {
    JobKind.ACKNOWLEDGE_ORDER.value: "POST /v3/orders/{purchaseOrderId}/acknowledge",
    JobKind.SHIP_LINES.value: "POST /v3/orders/{purchaseOrderId}/shipping",
    JobKind.CANCEL_LINES.value: "POST /v3/orders/{purchaseOrderId}/cancel",
    JobKind.REFUND_ORDER.value: "POST /v3/orders/{purchaseOrderId}/refund",
    JobKind.REFUND_RETURN.value: "POST /v3/returns/{returnOrderId}/refund",
    JobKind.PUSH_INVENTORY.value: "PUT /v3/inventory",
}


def budget_wait(link: StoreLink, kind: str) -> float:
    """Seconds until the store's seller budget allows the call a job of ``kind`` makes, as far as this process
    knows (0 for a kind that makes none). Cheap: no database, no network."""
    endpoint = WALMART_ENDPOINT_OF_KIND.get(kind)
    if endpoint is None:
        return 0.0
    walmart = link.walmart
    return walmart.rate_limiter.expected_wait(walmart.account, endpoint)
