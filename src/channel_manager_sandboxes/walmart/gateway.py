"""What every ``/v3`` call goes through: Walmart's headers, the token, the rate limit and the faults
(:func:`gate`), then Walmart's answer or the fault's (:func:`answer`)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import Response

from channel_manager_sandboxes.walmart.errors import SandboxHTTPError, throttled, unauthorized
from channel_manager_sandboxes.walmart.faults import Fault, FaultMode
from channel_manager_sandboxes.walmart.model import Seller
from channel_manager_sandboxes.walmart.state import WalmartSandbox


@dataclass
class Context:
    sandbox: WalmartSandbox
    endpoint: str
    seller: Seller
    headers: dict[str, str] = field(default_factory=dict)
    lost: Fault | None = None


_FAULT_ERRORS = {
    400: ("INVALID_REQUEST.GMP_ORDER_API", "Invalid Request", False),
    401: ("UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized", True),
    403: ("FORBIDDEN.GMP_GATEWAY_API", "Forbidden", True),
    423: ("RESOURCE_IS_LOCKED.GMP_RECEIVER_API", "Resource is locked", False),
    500: ("SYSTEM_ERROR.GMP_ORDER_API", "System encountered some internal error", False),
    504: ("DOWNSTREAM_SYSTEM_TIME_OUT.GMP_ORDER_API", "Downstream system timed out", False),
}


def fault_error(status: int) -> SandboxHTTPError | None:
    """The error a fault answers with; None means a bare status (gateway unreachable)."""
    known = _FAULT_ERRORS.get(status)
    if known is None:
        return None
    code, description, gateway = known
    return SandboxHTTPError(status, code, description, gateway=gateway)


class BareStatus(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def gate(request: Request, endpoint: str, *, token_call: bool = False) -> Context:
    """Headers, token, rate limit and faults for one ``/v3`` call."""
    sandbox: WalmartSandbox = request.app.state.sandbox
    request.state.endpoint = endpoint
    sandbox.counters.calls[endpoint] += 1
    for name in ("WM_QOS.CORRELATION_ID", "WM_SVC.NAME"):
        if not request.headers.get(name):
            raise SandboxHTTPError(
                400, "MISSING_REQUEST_HEADER.GMP_GATEWAY_API", f"Missing header {name}", field=name, gateway=True
            )
    if token_call:
        seller = sandbox.basic_seller(request.headers.get("authorization"))
    else:
        seller = sandbox.authenticate(request.headers.get("WM_SEC.ACCESS_TOKEN"))
    request.state.seller_id = seller.seller_id
    allowed, headers = sandbox.rate_limits.check(seller.seller_id, endpoint)
    if not allowed:
        sandbox.counters.throttled += 1
        raise throttled(headers)
    decision = sandbox.faults.decide(endpoint, seller.seller_id)
    if decision.latency_ms:
        await asyncio.sleep(decision.latency_ms / 1000)
    context = Context(sandbox, endpoint, seller, headers)
    if decision.fault is not None:
        sandbox.counters.faults_fired += 1
        await _fire(request, context, decision.fault, token_call=token_call)
    return context


async def _fire(request: Request, context: Context, fault: Fault, *, token_call: bool) -> None:
    """What a fault does before the call is applied (``lose_response`` acts in :func:`answer`)."""
    sandbox = context.sandbox
    if fault.mode is FaultMode.RATE_LIMIT_STORM:
        sandbox.counters.throttled += 1
        raise throttled({**context.headers, "x-current-token-count": "0", "Retry-After": "1"})
    if fault.mode is FaultMode.ERROR:
        raise _fault_exception(fault.status)
    if fault.mode is FaultMode.TIMEOUT:
        await asyncio.sleep(fault.hang_seconds)
        raise _fault_exception(504)
    if fault.mode is FaultMode.REVOKE_TOKEN and not token_call:
        sandbox.accounts.revoke_token(request.headers.get("WM_SEC.ACCESS_TOKEN"))
        sandbox.counters.revoked_by_fault += 1
        raise unauthorized()
    if fault.mode is FaultMode.LOSE_RESPONSE:
        context.lost = fault


def _fault_exception(status: int) -> Exception:
    error = fault_error(status)
    return BareStatus(status) if error is None else error


async def answer(request: Request, context: Context, body: Any, status: int = 200) -> Response:
    """Walmart's answer, or (for a fault) the change applied and the answer lost."""
    fault = context.lost
    if fault is not None:
        context.sandbox.counters.lost_responses += 1
        if fault.lost_as == "timeout":
            await asyncio.sleep(fault.hang_seconds)
            raise _fault_exception(504)
        raise _fault_exception(fault.status)
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    headers = dict(context.headers)
    correlation = request.headers.get("WM_QOS.CORRELATION_ID")
    if correlation:
        headers["WM_QOS.CORRELATION_ID"] = correlation
    return Response(content=text, status_code=status, media_type="application/json", headers=headers)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise SandboxHTTPError(
            400, "MALFORMED_REQUEST_CONTENT.GMP_ORDER_API", "Request content is not valid JSON", field="body"
        ) from None


def query_params(request: Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query, keep_blank_values=True))
