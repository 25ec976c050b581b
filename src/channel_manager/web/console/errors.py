"""How the console words a refused action: the same mapping as the API's problems (status, side, cause)."""

from __future__ import annotations

from pydantic import ValidationError

from ...commerce.errors import CommerceError
from ...crypto import SecretKeyError
from ...domain.errors import DomainError
from ...storage.errors import StorageError
from ...walmart.errors import WalmartError
from ..problems import ProblemError, problem_for

#: What an action may raise for a reason the merchant should read (anything else is a 500, logged).
USER_ERRORS = (ProblemError, DomainError, StorageError, WalmartError, CommerceError, SecretKeyError, ValueError)

SIDES = {"walmart": "Walmart", "commerce": "Commerce", "connector": "channel-manager"}


def describe(error: BaseException) -> tuple[int, str]:
    """(HTTP status, one line naming the side and the cause)."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return 422, f"channel-manager: {where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    if isinstance(error, ValueError) and not isinstance(error, DomainError | StorageError):
        return 422, f"channel-manager: {error}"
    problem = problem_for(error)
    return problem.status, f"{SIDES[problem.side]}: {problem.title}. {problem.detail}"
