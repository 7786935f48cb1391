"""Worker connections answer without Nagle's delay (server/http_protocol.py)."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.importer import import_from_string
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.http_protocol import (
    NO_DELAY_H11,
    NO_DELAY_HTTPTOOLS,
    NoDelayH11Protocol,
    NoDelayHttpToolsProtocol,
    set_no_delay,
)


def _no_delay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_a_connection_accepted_on_a_socket_bound_like_uvicorns_gets_no_delay() -> None:
    # uvicorn's workers listen on socket.socket(family): protocol 0, on which asyncio leaves
    # Nagle's algorithm on for every accepted connection.
    listening = socket.socket(socket.AF_INET)
    listening.bind(("127.0.0.1", 0))
    accepted: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()

    async def serve(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.transport.get_extra_info("socket")
        before = _no_delay(sock)
        set_no_delay(writer.transport)
        accepted.set_result((before, _no_delay(sock)))
        writer.close()

    server = await asyncio.start_server(serve, sock=listening)
    async with server:
        _, writer = await asyncio.open_connection(*listening.getsockname())
        before, after = await asyncio.wait_for(accepted, 5)
        writer.close()
    assert before == 0  # the delay the protocol exists to remove
    assert after != 0


def test_uvicorn_loads_the_protocols_by_the_names_serve_and_the_bench_give() -> None:
    loaded = import_from_string(NO_DELAY_HTTPTOOLS)
    assert loaded is NoDelayHttpToolsProtocol
    assert issubclass(loaded, HttpToolsProtocol)
    loaded = import_from_string(NO_DELAY_H11)
    assert loaded is NoDelayH11Protocol
    assert issubclass(loaded, H11Protocol)
