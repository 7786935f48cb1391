"""uvicorn's HTTP/1.1 protocols with TCP_NODELAY set on every connection.

With several workers (`gridgraph serve --workers N`, `uvicorn --workers N`) uvicorn binds the
listening socket itself, as `socket.socket(family)`: protocol number 0. asyncio turns Nagle's
algorithm off only on accepted sockets whose protocol is IPPROTO_TCP, so every worker
connection kept it on, and a response written in two sends (head, then body) waited for the
client's delayed acknowledgement: about 40 ms per request on a keep-alive connection. One
connection reached 21 requests/s with two workers against 312 with one (wrk, `case_parties`,
demo seed). A single process listens through asyncio's own socket and was never affected;
it gets the same protocol so that both run the same code.

The server parses HTTP with httptools (C, `NoDelayHttpToolsProtocol`, the default) and runs
on uvloop: measured against h11 and asyncio's own loop in docs/benchmarks.md. The h11
protocol stays for `--http` users and for the bench's `plain` stack.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# What `--http` and `uvicorn.run(http=...)` take to use them.
NO_DELAY_HTTPTOOLS = "server.http_protocol:NoDelayHttpToolsProtocol"
NO_DELAY_H11 = "server.http_protocol:NoDelayH11Protocol"


def set_no_delay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on the transport's TCP socket (nothing for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """httptools, answering without Nagle's delay (see the module's docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_no_delay(transport)
        super().connection_made(transport)


class NoDelayH11Protocol(H11Protocol):
    """h11, answering without Nagle's delay (see the module's docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_no_delay(transport)
        super().connection_made(transport)
