"""The API's access rules over real HTTP: no route but /health without a token, roles, rate-limited
failures logged without the token, /health details only with one."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from channel_manager.domain.access import Role

from ._api import serving
from .conftest import World

pytestmark = pytest.mark.anyio

METHODS = ("get", "post", "patch", "delete", "put")


def _operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, item in document["paths"].items():
        if path.startswith("/webhooks"):
            continue  # served by the webhook listener, not this one
        for method in METHODS:
            if method in item:
                found.append((method, path.replace("{", "").replace("}", "")))
    return found


async def test_no_route_but_health_answers_without_a_token(world: World) -> None:
    async with serving(world) as api:
        document = (await api.http.get("/openapi.json", headers=api.auth(Role.VIEWER))).json()
        operations = _operations(document)
        assert len(operations) >= 20
        for method, path in operations:
            answer = await api.http.request(method, path)
            if path == "/health":
                assert answer.status_code == 200 and answer.json() == {"status": "ok"}
                continue
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["www-authenticate"].startswith("Bearer")
            problem = answer.json()
            assert problem["status"] == 401 and problem["side"] == "connector" and problem["type"].startswith("http")

        # /health gives its details only with a token (any role).
        detailed = (await api.http.get("/health", headers=api.auth(Role.METRICS))).json()
        assert detailed["status"] == "ok" and "jobs" in detailed and "database" in detailed

        # A wrong token is refused, logged without the token, and limited per address after 10 failures.
        wrong = "cm_" + "x" * 43
        with capture_logs() as logs:
            for _ in range(10):
                refused = await api.http.get("/api/orders", headers={"Authorization": f"Bearer {wrong}"})
                assert refused.status_code == 401
        limited = await api.http.get("/api/orders", headers=api.auth(Role.ADMIN))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["title"] == "Too many failed attempts"
    failures = [entry for entry in logs if entry["event"] == "authentication failed"]
    assert len(failures) == 10 and failures[0]["client"] == "127.0.0.1"
    assert wrong not in str(logs) and all(token not in str(logs) for token in api.tokens.values())


async def test_a_viewer_token_cannot_change_anything(world: World) -> None:
    async with serving(world) as api:
        document = (await api.http.get("/openapi.json", headers=api.auth(Role.ADMIN))).json()
        changes = [(m, p) for m, p in _operations(document) if m != "get"]
        assert len(changes) >= 12
        for method, path in changes:
            for role in (Role.VIEWER, Role.METRICS):
                answer = await api.http.request(method, path, headers=api.auth(role), json={})
                assert answer.status_code == 403, (role, method, path, answer.status_code, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
        # Reading works for a viewer; a metrics token reads only /metrics.
        assert (await api.http.get("/api/orders", headers=api.auth(Role.VIEWER))).status_code == 200
        assert (await api.http.get("/api/orders", headers=api.auth(Role.METRICS))).status_code == 403
        metrics = await api.http.get("/metrics", headers=api.auth(Role.METRICS))
        assert metrics.status_code == 200 and "channel_manager_jobs" in metrics.text
        # An operator acts on orders but does not manage stores or tokens.
        assert (await api.http.get("/api/tokens", headers=api.auth(Role.OPERATOR))).status_code == 403
        assert (await api.http.delete("/api/stores/1", headers=api.auth(Role.OPERATOR))).status_code == 403
        # A revoked token stops working at once.
        revoked = await api.http.delete("/api/tokens/test-viewer", headers=api.auth(Role.ADMIN))
        assert revoked.status_code == 200 and revoked.json()["active"] is False
        assert (await api.http.get("/api/orders", headers=api.auth(Role.VIEWER))).status_code == 401
