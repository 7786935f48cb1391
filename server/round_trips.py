"""Counts the Cypher round trips of each HTTP request and reports them in a response header.

The N+1 guard test and the benchmark read `X-Cypher-Round-Trips`.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.client import count_round_trips

HEADER = "x-cypher-round-trips"


class RoundTripHeader:
    """Pure ASGI middleware: one counter per request, its value sent with the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with count_round_trips() as trips:

            async def send_with_count(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message)[HEADER] = str(trips.count)
                await send(message)

            await self.app(scope, receive, send_with_count)
