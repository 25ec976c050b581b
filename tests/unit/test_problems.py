"""How an error a use case raises is answered: a database gone for a moment is a 503 to retry, and a driver
error is logged by its first line only (its statement's parameters carry payloads and customer data)."""

from __future__ import annotations

from sqlalchemy import exc
from structlog.testing import capture_logs

from channel_manager.web.problems import problem_for


def _driver_error(message: str, *, invalidated: bool) -> exc.DBAPIError:
    return exc.OperationalError(
        "INSERT INTO inbound_events (payload) VALUES (%(payload)s)",
        {"payload": "customer@example.com"},
        Exception(message),
        connection_invalidated=invalidated,
    )


def test_a_lost_database_connection_is_a_503_to_retry() -> None:
    problem = problem_for(_driver_error("server closed the connection unexpectedly", invalidated=True))
    assert problem.status == 503
    assert problem.headers == {"Retry-After": "2"}
    assert "customer@example.com" not in str(problem.body())


def test_another_driver_error_is_a_500_logged_without_its_parameters() -> None:
    with capture_logs() as logs:
        problem = problem_for(_driver_error("column nope does not exist\nLINE 1: ...", invalidated=False))
    assert problem.status == 500
    assert [entry["message"] for entry in logs] == ["column nope does not exist"]
    assert "customer@example.com" not in str(logs)
