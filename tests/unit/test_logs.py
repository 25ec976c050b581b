"""Logs: one JSON event per line with ids as fields, and never a secret."""

from __future__ import annotations

import io
import json
import logging

from channel_manager.logs import configure_logging, get_logger


def test_json_events_carry_ids_and_mask_secrets() -> None:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream)
    get_logger("test", store_id=3).info(
        "ship_sent",
        purchase_order_id="1796277083022",
        correlation_id="c0ffee",
        client_secret="wm-secret-1",
        headers={"Authorization": "Bearer tok-123", "WM_SEC.ACCESS_TOKEN": "tok-456"},
        detail="called with Basic c2VjcmV0OnZhbHVl and OAuth oauth_signature=abc",
    )
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["event"] == "ship_sent"
    assert (event["store_id"], event["purchase_order_id"], event["correlation_id"]) == (3, "1796277083022", "c0ffee")
    text = lines[0]
    for secret in ("wm-secret-1", "tok-123", "tok-456", "c2VjcmV0OnZhbHVl", "oauth_signature=abc"):
        assert secret not in text


def test_library_logs_go_through_the_same_redaction() -> None:
    stream = io.StringIO()
    configure_logging("console", "INFO", stream)
    logging.getLogger("some.library").warning("retrying with Authorization: Bearer abc.def.ghi")
    assert "abc.def.ghi" not in stream.getvalue()
    assert "retrying" in stream.getvalue()
