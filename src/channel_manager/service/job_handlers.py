"""Which use case runs a job of each kind (the worker in ``sync/`` looks them up here)."""

from __future__ import annotations

from .commerce_mirror import mirror_walmart_cancel
from .inbound import process_webhook
from .intent_to_cancel import note_intent_to_cancel
from .inventory import push_inventory
from .job_run import Handler
from .order_creation import create_commerce_order
from .outbox import JobKind
from .refund_updates import refund_order, refund_return
from .walmart_updates import acknowledge_order, cancel_lines, ship_lines

HANDLERS: dict[str, Handler] = {
    JobKind.ACKNOWLEDGE_ORDER: acknowledge_order,
    JobKind.CREATE_COMMERCE_ORDER: create_commerce_order,
    JobKind.SHIP_LINES: ship_lines,
    JobKind.CANCEL_LINES: cancel_lines,
    JobKind.REFUND_RETURN: refund_return,
    JobKind.REFUND_ORDER: refund_order,
    JobKind.MIRROR_WALMART_CANCEL: mirror_walmart_cancel,
    JobKind.PUSH_INVENTORY: push_inventory,
    JobKind.PROCESS_WEBHOOK: process_webhook,
    JobKind.NOTE_INTENT_TO_CANCEL: note_intent_to_cancel,
}
