"""The Commerce sandbox sends every webhook to one URL; the connector takes each store's deliveries at its own
``/webhooks/commerce/{store_id}``. This fan-out stands in for one webhook subscription per store view: it reads the
delivery's ``data.store_id`` (the Commerce store view of the order, shipment or credit memo) and passes the body
and headers on unchanged to the channel-manager store of that store view (every bench store has the same webhook
secret, so the signature stays valid). It runs in the benchmark's own process: its CPU is not the connector's."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


class CommerceRouter:
    def __init__(self, connector_webhook_url: str, store_by_view: dict[int, int]) -> None:
        self.target = connector_webhook_url
        self.store_by_view = store_by_view
        self.unrouted = 0
        self.forwarded = 0
        self._client = httpx.Client(timeout=10)
        router = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = router.forward(body, {k: v for k, v in self.headers.items() if k.lower() != "host"})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def forward(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            view = int(json.loads(body)["data"]["store_id"])
            store_id = self.store_by_view[view]
        except (ValueError, KeyError, TypeError):
            self.unrouted += 1
            return 200  # not one of the bench's store views (e.g. a stock event): nobody to tell
        headers.pop("Content-Length", None)
        headers.pop("content-length", None)
        response = self._client.post(f"{self.target}/webhooks/commerce/{store_id}", content=body, headers=headers)
        self.forwarded += 1
        return response.status_code

    def __enter__(self) -> CommerceRouter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()
