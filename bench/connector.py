"""The connector as the benchmark runs it: ``channel-manager run``, plus a switch for the Walmart client's own
pacing (it holds each endpoint to Walmart's published limits, e.g. 60 acknowledgements a minute, even when the
sandbox enforces none). The latency phases turn that pacing off to measure the connector, not the limits.

    python bench/connector.py --workers 4 --port 8080 --webhook-port 8090 [--no-api] [--no-pollers]
        [--no-client-rate-limits] [--writes-per-minute 3]

``--writes-per-minute`` scales the client's per-seller write limits down as ``bench/walmart_sandbox.py`` scales
the sandbox's (``seller_limits.py``): the two must match.
"""

from __future__ import annotations

import argparse
import asyncio

from channel_manager.bootstrap import build_context, open_app
from channel_manager.sync.runner import RunOptions, run_service
from channel_manager.walmart.rate_limits import RateLimit
from channel_manager.web.server import HttpOptions, listeners
from instrument import instrument
from seller_limits import scaled_write_limits


async def serve(args: argparse.Namespace) -> None:
    application = open_app()
    written = instrument(application.database.engine)
    try:
        walmart: dict[str, object] = {"rate_limiting": args.client_rate_limits}
        if args.writes_per_minute:
            walmart["rate_limits"] = scaled_write_limits(args.writes_per_minute, RateLimit)
        context = build_context(application.database, walmart_options=walmart)
        options = RunOptions(workers=args.workers, pollers=args.pollers)
        http = HttpOptions(port=args.port, webhook_port=args.webhook_port, api=args.api, webhooks=args.webhooks)
        await run_service(application.database, options, context=context, served=listeners(application.database, http))
    finally:
        written()
        application.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--webhook-port", type=int, default=8090)
    parser.add_argument("--no-api", dest="api", action="store_false")
    parser.add_argument("--no-webhooks", dest="webhooks", action="store_false")
    parser.add_argument("--no-pollers", dest="pollers", action="store_false")
    parser.add_argument("--no-client-rate-limits", dest="client_rate_limits", action="store_false")
    parser.add_argument("--writes-per-minute", type=int, default=0, help="0: Walmart's own limits")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
