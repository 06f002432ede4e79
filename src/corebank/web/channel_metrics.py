"""Channel monitoring of HTTP requests (a plain ASGI middleware: cheap on the hot path).

The authentication dependencies note the request's channel in `scope["state"]["channel"]`: customer routes
the channel of the customer's token (internet, mobile, open_api), staff routes "counter". Each such request
is counted for its channel with the transaction type "METHOD route-template" (the template, not the raw path,
to bound cardinality), its HTTP status and its latency. Requests that reached no authentication (health,
metrics, login pages) are not a channel's and are not counted here.
"""

from __future__ import annotations

import time
from typing import Any

from corebank.channels import monitoring


class ChannelMetricsMiddleware:
    """Counts and times each request of a channel with `monitoring.observe`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def _send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            state = scope.get("state")
            channel = state.get("channel") if isinstance(state, dict) else None
            if channel:
                path = getattr(scope.get("route"), "path", "unmatched")
                monitoring.observe(
                    channel, f"{scope['method']} {path}", str(status["code"]), time.perf_counter() - start
                )
