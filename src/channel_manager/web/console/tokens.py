"""The API tokens page (admins): tokens created (the token shown this once, never stored), listed, revoked,
through ``service.tokens`` as ``channel-manager tokens`` does, in the audit trail under the admin's name."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...service import tokens as token_service
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import page, redirect
from .sessions import checked_form, first, require_session

router = APIRouter(prefix="/console/tokens")
ROLES = [role.value for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN)]


@router.get("")
async def tokens_page(request: Request) -> Response:
    session = await require_session(request, Role.ADMIN)
    state = service_state(request)
    tokens = await state.context.run_db(token_service.list_tokens, state.database)
    return page(request, "tokens.html", session, tokens=tokens, roles=ROLES, created=None)


@router.post("")
async def create(request: Request) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    name, role_text = first(fields, "name"), first(fields, "role")
    try:
        if role_text not in ROLES:
            raise ValueError(f"role {role_text!r}: use one of {', '.join(ROLES)}")
        token, plaintext = await state.context.run_db(
            lambda: token_service.create_token(
                state.database, name, Role(role_text), actor=f"console:{session.user.name}"
            )
        )
    except USER_ERRORS as error:
        return redirect("/console/tokens", f"Token {name!r} not created. {describe(error)[1]}", kind="error")
    tokens = await state.context.run_db(token_service.list_tokens, state.database)
    # The token goes into this one page (never into a cookie, a log or the database).
    return page(request, "tokens.html", session, tokens=tokens, roles=ROLES, created=(token, plaintext))


@router.post("/{name}/revoke")
async def revoke(request: Request, name: str) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    if first(fields, "step") != "send":
        return page(
            request, "confirm.html", session, title=f"Revoke API token {name}", heading="This will",
            summary=[f"Revoke {name!r}: every client using it is refused from its next request."],
            action_url=f"/console/tokens/{quote(name, safe='')}/revoke", hidden=[], back_url="/console/tokens",
            button=f"Revoke {name}",
        )  # fmt: skip
    try:
        token = await state.context.run_db(
            lambda: token_service.revoke_token(state.database, name, actor=f"console:{session.user.name}")
        )
    except USER_ERRORS as error:
        return redirect("/console/tokens", f"Token {name!r} not revoked. {describe(error)[1]}", kind="error")
    return redirect("/console/tokens", f"Token {token.name!r} revoked; it stops working at once.")
