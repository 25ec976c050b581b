"""``Idempotency-Key`` on every POST: a repeat (same key, same token) gets the first answer again without
acting again; the same key with another request is 422; a repeat while the first is running is 409.

Answers kept are the successes and the 4xx refusals; a 5xx (Walmart, Commerce or the database down) frees
the key, so the client can retry with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ..service import idempotency
from ..service.idempotency import Claim
from .auth import Principal
from .problems import PROBLEM_JSON, ProblemError, problem_for

NOT_KEPT = {"kept": False}

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID): a repeated request with the same key returns the first "
        "answer instead of acting twice (kept 24 h).",
    ),
]


async def answer(
    request: Request,
    principal: Principal,
    key: str | None,
    act: Callable[[], Awaitable[Any]],
    *,
    status_code: int = 200,
    replayable: bool = True,
) -> JSONResponse:
    """Runs ``act`` (at most once per key) and answers with what it returned, as JSON. An answer that must
    not be kept (``replayable=False``: it holds a new API token) is not stored, and a repeat is 409."""
    state = request.app.state.service
    if key is None:
        return _respond(status_code, jsonable_encoder(await act()))
    fingerprint = idempotency.fingerprint(
        request.method, request.url.path + "?" + request.url.query, await request.body()
    )
    outcome = await state.context.run_db(idempotency.begin, state.database, principal.key, key, fingerprint)
    if outcome.claim is Claim.MISMATCH:
        raise ProblemError(
            422, "Idempotency key reused", "This Idempotency-Key was used for a different request; use a new key.",
            slug="idempotency-key-reused", field="header.Idempotency-Key",
        )  # fmt: skip
    if outcome.claim is Claim.IN_PROGRESS:
        raise ProblemError(
            409, "Request in progress", "The first request with this Idempotency-Key is still being answered.",
            slug="idempotency-in-progress", headers={"Retry-After": "1"},
        )  # fmt: skip
    if outcome.claim is Claim.REPLAY:
        assert outcome.status_code is not None
        if outcome.response == NOT_KEPT:
            raise ProblemError(
                409, "Already done", "The first request with this Idempotency-Key succeeded; its answer (a secret "
                "shown once) is not kept.", slug="idempotency-not-kept",
            )  # fmt: skip
        return _respond(outcome.status_code, outcome.response, replayed=True)
    try:
        status, body = status_code, jsonable_encoder(await act())
    except BaseException as error:
        problem = problem_for(error) if isinstance(error, Exception) else None
        if problem is None or problem.status >= 500:
            await state.context.run_db(idempotency.abandon, state.database, principal.key, key)
            raise
        status, body = problem.status, problem.body()
    kept = body if replayable or status >= 400 else NOT_KEPT
    await state.context.run_db(idempotency.finish, state.database, principal.key, key, status, kept)
    return _respond(status, body)


def _respond(status: int, body: Any, *, replayed: bool = False) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    media_type = PROBLEM_JSON if status >= 400 else "application/json"
    return JSONResponse(body, status_code=status, media_type=media_type, headers=headers)
