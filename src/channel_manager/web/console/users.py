"""The Users page (admins): console users created, their role changed, their password reset, removed, through
``service.console_users`` as ``channel-manager users`` does, each change in the audit trail under the
signed-in admin's name. An admin cannot demote or remove themselves (the console keeps an admin)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...domain.console_users import MIN_PASSWORD_LENGTH
from ...service import console_users
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import page, redirect
from .sessions import checked_form, first, require_session

router = APIRouter(prefix="/console/users")
ROLES = [role.value for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN)]


def _role(text: str) -> Role:
    if text not in ROLES:
        raise ValueError(f"role {text!r}: use one of {', '.join(ROLES)}")
    return Role(text)


def _password(fields: dict[str, list[str]]) -> str:
    password = (fields.get("password") or [""])[0]  # passwords keep their spaces
    if password != (fields.get("password_again") or [""])[0]:
        raise ValueError("the two passwords differ")
    return password


@router.get("")
async def users_page(request: Request) -> Response:
    session = await require_session(request, Role.ADMIN)
    users = await service_state(request).context.run_db(console_users.list_users, service_state(request).database)
    return page(
        request, "users.html", session, users=users, roles=ROLES, now=datetime.now(UTC),
        min_password=MIN_PASSWORD_LENGTH,
    )  # fmt: skip


@router.post("")
async def create(request: Request) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    name = first(fields, "name")
    try:
        role, password = _role(first(fields, "role")), _password(fields)
        user = await state.context.run_db(
            lambda: console_users.create_user(
                state.database, name, role, password, actor=f"console:{session.user.name}"
            )
        )
    except USER_ERRORS as error:
        return redirect("/console/users", f"User {name!r} not created. {describe(error)[1]}", kind="error")
    return redirect("/console/users", f"Console user {user.name!r} ({user.role.value}) created.")


@router.post("/{name}/{action}")
async def change(request: Request, name: str, action: str) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    actor = f"console:{session.user.name}"
    database = state.database
    try:
        if action not in ("role", "password", "remove"):
            raise ValueError(f"unknown action {action!r}")
        if name == session.user.name and action in ("role", "remove"):
            raise ValueError("you cannot change your own role or remove yourself; another admin can")
        if action == "role":
            role = _role(first(fields, "role"))
            await state.context.run_db(lambda: console_users.set_role(database, name, role, actor=actor))
            message = f"{name!r} is now {role.value}."
        elif action == "password":
            password = _password(fields)
            await state.context.run_db(lambda: console_users.set_password(database, name, password, actor=actor))
            message = f"Password of {name!r} reset; their sessions ended."
        elif first(fields, "step") != "send":
            return page(
                request, "confirm.html", session, title=f"Remove console user {name}", heading="This will",
                summary=[f"Remove {name!r}: their sessions end at once and they can no longer sign in."],
                action_url=f"/console/users/{quote(name, safe='')}/remove", hidden=[], back_url="/console/users",
                button=f"Remove {name}",
            )  # fmt: skip
        else:
            await state.context.run_db(lambda: console_users.remove_user(database, name, actor=actor))
            message = f"Console user {name!r} removed."
    except USER_ERRORS as error:
        return redirect("/console/users", f"{name!r}: nothing changed. {describe(error)[1]}", kind="error")
    return redirect("/console/users", message)
