"""Walmart's error bodies: the service shape (orders, returns) and the gateway shape (auth, throttling)."""

from __future__ import annotations

from typing import Any

INFO_BY_PREFIX = {
    "INVALID_REQUEST_CONTENT": "Request content is invalid.",
    "INVALID_REQUEST": "Request is invalid.",
    "INVALID_REQUEST_PARAM": "Request parameter is invalid.",
    "MISSING_REQUEST_HEADER": "Required request header is missing.",
    "MISSING_REQUEST_PARAM": "Required request parameter is missing.",
    "MALFORMED_REQUEST_CONTENT": "Request content is malformed.",
    "CONTENT_NOT_FOUND": "Requested content could not be found.",
    "UNAUTHORIZED": "Unauthorized token or incorrect authorization header. Please verify correct format: "
    "WM_SEC.ACCESS_TOKEN: <token> with a token from /v3/token.",
    "FORBIDDEN": "Forbidden: the token has no access to this resource.",
    "REQUEST_THRESHOLD_VIOLATED": "Request threshold violated. Please retry after the replenishment time.",
    "SYSTEM_ERROR": "System encountered some internal error.",
    "DOWNSTREAM_SYSTEM_TIME_OUT": "Downstream system timed out.",
    "URI_NOT_FOUND": "Requested URI not found.",
}

CATEGORY_BY_STATUS = {400: "DATA", 401: "DATA", 403: "DATA", 404: "APPLICATION", 429: "REQUEST"}


class SandboxHTTPError(Exception):
    """Raised inside a handler; rendered as Walmart's error body with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        *,
        field: str = "data",
        gateway: bool = False,
        severity: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.field = field
        self.gateway = gateway
        self.severity = severity
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        prefix = self.code.split(".", 1)[0]
        severity = self.severity or ("INFO" if prefix == "CONTENT_NOT_FOUND" else "ERROR")
        category = "SYSTEM" if self.status >= 500 else CATEGORY_BY_STATUS.get(self.status, "DATA")
        entry: dict[str, Any] = {
            "code": self.code,
            "field": self.field,
            "description": self.description,
            "info": INFO_BY_PREFIX.get(prefix, self.description),
            "severity": severity,
            "category": category,
            "causes": [],
        }
        if self.gateway:
            entry["errorIdentifiers"] = {}
            return {"error": [entry]}
        entry["errorIdentifiers"] = {"entry": []}
        return {"errors": {"error": [entry]}}


def order_error(description: str, *, field: str = "data", code: str = "INVALID_REQUEST_CONTENT") -> SandboxHTTPError:
    return SandboxHTTPError(400, f"{code}.GMP_ORDER_API", description, field=field)


def not_found(description: str) -> SandboxHTTPError:
    return SandboxHTTPError(404, "CONTENT_NOT_FOUND.GMP_ORDER_API", description)


def unauthorized() -> SandboxHTTPError:
    return SandboxHTTPError(401, "UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized", field="UNAUTHORIZED", gateway=True)


def throttled(headers: dict[str, str]) -> SandboxHTTPError:
    return SandboxHTTPError(
        429,
        "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API",
        "Too Many Requests",
        field="REQUEST_THRESHOLD_VIOLATED",
        gateway=True,
        headers=headers,
    )
