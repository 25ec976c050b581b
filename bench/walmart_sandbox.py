"""The Walmart sandbox as ``channel-manager sandbox walmart`` runs it, with every seller's write limits
(acknowledge, ship, cancel, refund) scaled to ``--writes-per-minute`` (see ``seller_limits.py``).

    python bench/walmart_sandbox.py --port 8081 --client-id X --client-secret Y --writes-per-minute 3
"""

from __future__ import annotations

import argparse

import uvicorn

from channel_manager_sandboxes.walmart import WalmartSandboxSettings, create_app
from channel_manager_sandboxes.walmart.contract import RATE_LIMITS, RateLimit
from seller_limits import scaled_write_limits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--writes-per-minute", type=int, default=60)
    args = parser.parse_args()
    limits = {**RATE_LIMITS, **scaled_write_limits(args.writes_per_minute, RateLimit)}
    settings = WalmartSandboxSettings(
        client_id=args.client_id,
        client_secret=args.client_secret,
        rate_limits=True,
        limits=limits,  # type: ignore[arg-type]
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
