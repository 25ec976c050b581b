"""Commerce-shaped error answers raised by the sandbox's state and routes."""

from __future__ import annotations

from typing import Any

NOT_FOUND_ENTITY = "The entity that was requested doesn't exist. Verify the entity and try again."
NOT_FOUND_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
NO_ROUTE = "Request does not match any route."
FIELD_REQUIRED = '"%fieldName" is required. Enter and try again.'
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."


class SandboxApiError(Exception):
    """Becomes ``{"message": template, "parameters": ...}`` with ``status``."""

    def __init__(self, status: int, message: str, parameters: Any = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.parameters is not None:
            body["parameters"] = self.parameters
        if self.errors:
            body["errors"] = self.errors
        return body


def not_found(message: str = NOT_FOUND_ENTITY, parameters: Any = None) -> SandboxApiError:
    return SandboxApiError(404, message, parameters)


def bad_request(message: str, parameters: Any = None) -> SandboxApiError:
    return SandboxApiError(400, message, parameters)


def required(field: str) -> SandboxApiError:
    return SandboxApiError(400, FIELD_REQUIRED, {"fieldName": field})
