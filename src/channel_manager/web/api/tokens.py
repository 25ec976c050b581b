"""``/api/tokens`` (admin): API tokens, as `channel-manager tokens` manages them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ...service import tokens as token_service
from .. import idempotency, problems
from ..auth import Principal, admin
from ..schemas import TokenCreatedOut, TokenIn, TokenOut, token_out
from .common import READ, service

router = APIRouter(prefix="/tokens", tags=["tokens"])
TokenName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", summary="Every API token (never the tokens themselves)", responses=problems.responses(*READ))
async def list_tokens(request: Request, _: Principal = Depends(admin)) -> list[TokenOut]:
    state = service(request)
    return [token_out(t) for t in await state.context.run_db(token_service.list_tokens, state.database)]


@router.post(
    "",
    status_code=201,
    summary="Create a token: the answer holds it, this once (a repeat with the same Idempotency-Key is 409)",
    responses=problems.responses(*READ),
)
async def create_token(
    request: Request, body: TokenIn, principal: Principal = Depends(admin), key: idempotency.IdempotencyKey = None
) -> TokenCreatedOut:
    state = service(request)

    async def act() -> TokenCreatedOut:
        token, plaintext = await state.context.run_db(
            lambda: token_service.create_token(state.database, body.name, body.role, actor=principal.actor)
        )
        return TokenCreatedOut(**token_out(token).model_dump(), token=plaintext)

    return await idempotency.answer(  # type: ignore[return-value]
        request, principal, key, act, status_code=201, replayable=False
    )


@router.delete("/{name}", summary="Revoke a token (it stops working at once)", responses=problems.responses(*READ))
async def revoke_token(request: Request, name: TokenName, principal: Principal = Depends(admin)) -> TokenOut:
    state = service(request)
    revoked = await state.context.run_db(
        lambda: token_service.revoke_token(state.database, name, actor=principal.actor)
    )
    return token_out(revoked)
