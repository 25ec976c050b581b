"""``channel-manager tokens``: API tokens for the HTTP service (shown once, stored only as a hash)."""

from __future__ import annotations

import typer
from rich.table import Table

from ..domain.access import Role
from ..service import tokens as token_service
from .context import opened_app
from .render import console, when

app = typer.Typer(help="Create, list and revoke API tokens for the HTTP service.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. 'prometheus' or 'ops-alice'."),
    role: str = typer.Option(
        ..., "--role", help="viewer (reads), operator (also ships, cancels, refunds, retries), admin, or metrics."
    ),
) -> None:
    """Create a token. It is printed this once; only its SHA-256 is kept."""
    try:
        chosen = Role.parse(role)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--role") from None
    with opened_app() as application:
        token, plaintext = token_service.create_token(application.database, name, chosen)
    console.print(f"Token {token.name!r} ({token.role.value}) created. It is shown only now; keep it safe:")
    console.print(plaintext, markup=False, highlight=False, soft_wrap=True)
    console.print('Use it as: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/orders')


@app.command("list")
def list_() -> None:
    """List tokens (never the tokens themselves)."""
    with opened_app() as application:
        tokens = token_service.list_tokens(application.database)
    if not tokens:
        console.print("No API tokens yet. Create one with `channel-manager tokens create --name NAME --role viewer`.")
        return
    table = Table("Name", "Role", "Starts with", "Created", "By", "Last used", "State")
    for token in tokens:
        state = "active" if token.active else f"revoked {when(token.revoked_at)} by {token.revoked_by}"
        table.add_row(
            token.name,
            token.role.value,
            token.hint,
            when(token.created_at),
            token.created_by,
            when(token.last_used_at) if token.last_used_at else "never",
            state,
        )
    console.print(table)


@app.command("revoke")
def revoke(name: str = typer.Argument(..., help="The token's name (see `tokens list`).")) -> None:
    """Revoke a token: it stops working at once."""
    with opened_app() as application:
        token = token_service.revoke_token(application.database, name)
    console.print(f"Token {token.name!r} revoked.")
