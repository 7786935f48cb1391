"""The per-request context: the graph client, the principal, fresh loaders and the app's key."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.client import GraphClient
from graph.personal_data import PersonalDataKey
from resolvers.agreements import Agreement
from resolvers.loaders import Loaders
from resolvers.principal import Principal


@dataclass
class RequestContext:
    """What every resolver sees as `info.context`."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    graph: GraphClient
    principal: Principal
    loaders: Loaders
    personal_data_key: PersonalDataKey  # loaded once per app (blind indexes of lookups)
    agreement: Agreement | None = None  # a partner's data-sharing agreement
    # What a root field's compiled query read for the fields under it, by response path
    # (resolvers/compile.py); relationship resolvers answer from it before any loader.
    prefetched: dict[tuple[str | int, ...], Any] = field(default_factory=dict)
    compiled_reads: bool = True  # false: every level reads through the loaders
    # Each field node's converted arguments, per operation (schema/argument_memo.py).
    converted_arguments: dict[Any, Any] = field(default_factory=dict)
    request_id: str | None = None  # the HTTP request's id (server/request_log.py)
    # An operation executed outside the pipeline, with errors, for the pipeline to finish
    # without executing it again (schema/direct_operations.py).
    executed: Any = None

    def for_operation(self) -> RequestContext:
        """This context for one operation of a request: everything the request shares (the
        graph, the principal, the loaders' cache) and per-operation state of its own.

        A batch's operations run concurrently with one context (Strawberry); compiled answers
        are filed by response path, which two operations may both use, so another
        operation's field at the same path would take them as its own."""
        return replace(self, prefetched={}, converted_arguments={})
