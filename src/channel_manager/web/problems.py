"""Errors as ``application/problem+json`` (RFC 9457): a typed mapping from the domain, storage and client
errors to a status, a title and the side that refused (walmart, commerce or connector).

Bad input is a 4xx naming the cause (and the field, for a validation error); an error nobody expected is
a 500 whose detail says nothing of the internals (it is logged).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..commerce import errors as commerce_errors
from ..crypto import SecretKeyError
from ..domain.errors import DomainError
from ..logs import get_logger
from ..service.jobs_admin import JobNotRetryable
from ..storage import api_access, database_trouble
from ..storage import errors as storage_errors
from ..walmart import errors as walmart_errors

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://channel-manager.dev/problems/"
Side = Literal["walmart", "commerce", "connector"]

log = get_logger("channel_manager.web")


class FieldError(BaseModel):
    field: str = Field(description="Where: e.g. `body.tracking_number`, `query.limit`, `header.Idempotency-Key`.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with the side that refused and the invalid field(s)."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str = Field(description="What went wrong, for a person.")
    side: Side = Field(description="Who refused: Walmart, Commerce, or channel-manager itself (connector).")
    field: str | None = Field(None, description="The first invalid field, for a validation error.")
    errors: list[FieldError] | None = Field(None, description="Every invalid field, for a validation error.")


class ProblemError(Exception):
    """Raised anywhere in a request: answered as that problem."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        side: Side = "connector",
        slug: str | None = None,
        field: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.side = status, title, detail, side
        self.slug = slug or title.lower().replace(" ", "-")
        self.field, self.errors, self.headers = field, errors, headers

    def body(self) -> dict[str, Any]:
        problem = Problem(
            type=TYPE_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            side=self.side,
            field=self.field,
            errors=self.errors,
        )
        return problem.model_dump(exclude_none=True)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers)


_NOT_FOUND = (
    storage_errors.OrderNotFound,
    storage_errors.StoreNotFound,
    storage_errors.ReturnNotFound,
    api_access.TokenNotFound,
)
_CONFLICT = (
    storage_errors.DuplicateStore,
    storage_errors.StoreHasOrders,
    storage_errors.ConcurrentUpdate,
    api_access.DuplicateToken,
    JobNotRetryable,
)


#: How a failure of Walmart or Commerce is answered, by its kind: status and what the title says of the side.
_REMOTE = {
    "auth": (502, "refused the credentials"),
    "unavailable": (503, "is unavailable"),
    "refused": (422, "refused the request"),
    "failed": (502, "failed"),
}
#: The kind of each side's errors (an error of neither kind "failed").
_REMOTE_KINDS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((walmart_errors.WalmartAuthError, commerce_errors.CommerceAuthError), "auth"),
    ((walmart_errors.WalmartRetryableError, commerce_errors.CommerceRetryableError), "unavailable"),
    (
        (
            walmart_errors.WalmartPermanentError,
            commerce_errors.CommerceValidationError,
            commerce_errors.CommerceOrderMismatchError,
        ),
        "refused",
    ),
)


def _remote(side: Side, error: Exception) -> ProblemError:
    kind = next((kind for classes, kind in _REMOTE_KINDS if isinstance(error, classes)), "failed")
    status, words = _REMOTE[kind]
    return ProblemError(status, f"{side.capitalize()} {words}", str(error), side=side, slug=f"{side}-{kind}")


def problem_for(error: BaseException) -> ProblemError:
    """The problem an exception raised by a use case is answered with."""
    if isinstance(error, ProblemError):
        return error
    if isinstance(error, walmart_errors.WalmartError):
        return _remote("walmart", error)
    if isinstance(error, commerce_errors.CommerceError):
        return _remote("commerce", error)
    if isinstance(error, _NOT_FOUND):
        return ProblemError(404, "Not found", str(error))
    if isinstance(error, _CONFLICT):
        return ProblemError(409, "Conflict", str(error))
    if isinstance(error, storage_errors.DatabaseUnavailable) or database_trouble(error) is not None:
        detail, retry = "The database cannot be reached.", {"Retry-After": "2"}
        return ProblemError(503, "Database unavailable", detail, slug="database", headers=retry)
    if isinstance(error, storage_errors.StorageError):
        return ProblemError(409, "Conflict", str(error))
    if isinstance(error, DomainError):
        return ProblemError(422, "Not allowed", str(error), slug="rule")
    if isinstance(error, SecretKeyError):
        return ProblemError(503, "Secrets unavailable", "The encryption key cannot be read.", slug="secret-key")
    # a driver's error names its statement and parameters (payloads, customer data): the first line only
    message = str(error.orig if isinstance(error, DBAPIError) else error).strip().split("\n", 1)[0]
    log.error("unexpected error in a request", error=type(error).__name__, message=message)
    return ProblemError(500, "Internal error", "An unexpected error happened; it is logged.", slug="internal")


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_problem(errors: list[FieldError]) -> ProblemError:
    first = errors[0] if errors else None
    detail = f"{first.field}: {first.message}" if first else "The request is not valid."
    return ProblemError(
        422, "Invalid request", detail, slug="validation", field=first.field if first else None, errors=errors
    )


async def _on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [FieldError(field=_location(e.get("loc", ())), message=str(e.get("msg", ""))) for e in error.errors()]
    return validation_problem(errors).response()


def _allowed_methods(request: Request) -> str:
    """Every method some route of the app serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(request.url.path):
            methods |= set(route_methods)
    return ", ".join(sorted(methods))


async def _on_http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 413: "Too large"}
    title = titles.get(error.status_code, "Error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return ProblemError(error.status_code, title, str(error.detail), headers=headers or None).response()


async def _on_problem(_: Request, error: Exception) -> JSONResponse:
    return problem_for(error).response()


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for kind in (
        ProblemError,
        DomainError,
        storage_errors.StorageError,
        walmart_errors.WalmartError,
        commerce_errors.CommerceError,
        SecretKeyError,
        DBAPIError,
        Exception,
    ):
        app.add_exception_handler(kind, _on_problem)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries: each status answered with a Problem."""
    described = {
        400: "The body is not JSON (or not UTF-8)",
        401: "No valid API token (send `Authorization: Bearer <token>`)",
        403: "The token's role may not do this",
        404: "Not found",
        409: "Conflicts with the stored state",
        413: "Body too large",
        422: "Invalid request, or a rule (ours, Walmart's or Commerce's) refused it",
        429: "Too many failed authentication attempts from this address",
        502: "Walmart or Commerce failed or refused the store's credentials",
        503: "Walmart, Commerce or the database is unavailable; try again",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": described.get(status, "Problem"), "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


def add_schemas(openapi: dict[str, Any]) -> None:
    """Puts ``Problem`` (and ``FieldError``) in the document's components, where ``responses`` points."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Problem"] = schema
