"""Schemathesis over the service's own OpenAPI document: every documented operation of the API, with an
admin token, against a real `run` (API listener on an ephemeral port, SQLite database, both sandboxes,
pollers on so there are orders to read). No response may disagree with the document, and none may be a 5xx.

The receivers (``/webhooks/...``) are documented with the webhook listener as their server and tested in
``test_webhook_listener.py``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from channel_manager.crypto import SecretBox
from channel_manager.domain.access import Role
from channel_manager.service.tokens import create_token
from channel_manager.storage.unit_of_work import Database
from channel_manager.sync.context import SyncContext
from channel_manager.sync.runner import RunOptions, run_service
from channel_manager.web.app import create_api_app
from channel_manager.web.server import HttpOptions, listeners
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.commerce.settings import SandboxSettings
from channel_manager_sandboxes.serving import BackgroundServer, free_port
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app

from .conftest import CATALOG, CLIENT_ID, CLIENT_SECRET, Servers, make_store

# Schemathesis' own strategies use `random` (its warning, not this project's).
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

#: The document the service serves (the fixture checks the running one is the same).
DOCUMENT = create_api_app(mock.MagicMock()).openapi()
#: A request the schema accepts may still be refused by a rule of the order (e.g. "nothing to refund", or a
#: cursor this list never gave): 422, as the document says. Never a 5xx (5xx is not in this list).
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}}
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path_regex="^/webhooks/")


class RunningService:
    def __init__(self, database: Database) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._database = database
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="api-under-test", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            started = asyncio.Event()
            context = SyncContext(self._database, walmart_options={"rate_limiting": False})
            # Schemathesis sends wrong tokens on purpose, many a minute: the address must not be limited.
            http = HttpOptions(port=self.port, webhooks=False, auth_failures_per_minute=100_000)
            served = listeners(self._database, http)
            options = RunOptions(workers=1, pollers=True, shutdown_grace_seconds=2, store_scan_seconds=1)
            service = asyncio.create_task(
                run_service(self._database, options, context=context, stop=self._stop, started=started, served=served)
            )
            await started.wait()
            self._started.set()
            await service

        asyncio.run(main())

    def __enter__(self) -> RunningService:
        self._thread.start()
        assert self._started.wait(30), "the service did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    walmart_app = create_walmart_app(
        WalmartSandboxSettings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rate_limits=False)
    )
    commerce_app = create_commerce_app(SandboxSettings())
    for sku, price in CATALOG.items():
        commerce_app.state.sandbox.upsert_product(sku, name=f"Product {sku}", price=float(price), quantity=100)
    path: Path = tmp_path_factory.mktemp("schema") / "channel-manager.sqlite3"
    database = Database.open(f"sqlite:///{path}", SecretBox(SecretBox.generate_key()))
    with BackgroundServer(walmart_app) as walmart, BackgroundServer(commerce_app) as commerce:
        servers = Servers(walmart.url, walmart_app.state.sandbox, commerce.url, commerce_app.state.sandbox)
        make_store(database, servers, order_poll_seconds=0.5, commerce_poll_seconds=0.5)
        httpx.post(f"{walmart.url}/_sandbox/sellers/seller-1/orders", json={"count": 3}, timeout=10).raise_for_status()
        _, token = create_token(database, "schemathesis", Role.ADMIN)
        auth = {"Authorization": f"Bearer {token}"}
        with RunningService(database) as running:
            served = httpx.get(f"{running.url}/openapi.json", headers=auth, timeout=10)
            assert served.status_code == 200 and served.json() == DOCUMENT
            yield running.url, auth
    database.dispose()


def test_the_document_covers_every_route_and_the_security_scheme() -> None:
    paths = DOCUMENT["paths"]
    assert DOCUMENT["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http", "scheme": "bearer", "description": mock.ANY,
    }  # fmt: skip
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "servers":
                continue
            codes = set(operation["responses"])
            if not path.startswith("/webhooks") and path != "/health":
                assert operation["security"] == [{"ApiToken": []}], (method, path)
                assert {"401", "403", "429"} <= codes, (method, path)
            problem = next(
                (r for c, r in operation["responses"].items() if c.startswith("4")),
                None,
            )
            assert problem is not None, (method, path)
            assert "application/problem+json" in problem["content"], (method, path)
            if method == "post" and not path.startswith("/webhooks"):
                names = {p["name"] for p in operation.get("parameters", [])}
                assert "Idempotency-Key" in names, path
    assert paths["/webhooks/walmart/{store_id}"]["servers"][0]["variables"]["port"]["default"] == "8090"


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,
)
def test_every_answer_agrees_with_the_document(case: Any, service: tuple[str, dict[str, str]]) -> None:
    url, auth = service
    case.call_and_validate(base_url=url, headers=auth, timeout=30)
