"""Relay-style pagination arguments: `first` (default 20, at most 100) and `after` (a cursor).

Cursors are keyset cursors (graph/keyset.py): opaque to clients, inside they hold the sort keys
of the item they point at and which list they belong to (the list field's relationship, its
order and its filter: `list_identity`). The next page is the rows sorting after those keys,
cut in Cypher, so inserting or removing a row before the cursor moves nothing after it. A
cursor given to another list, or malformed, is BAD_USER_INPUT naming `after`. The cursor is
not bound to the parent node (the same `after` under every node of a nested page means "after
this sort position" in each of their lists).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from graph import keyset
from graph.traversal import Hop
from resolvers.errors import BadUserInput
from resolvers.time_range import checked_date, checked_moment

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 1024  # characters of a cursor; ours are far shorter
_VERSION = "k1"
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class PageRequest:
    """Which slice to read: the `first` rows after the sort keys `after` (None: from the
    start) of list `list_id` (read one more to peek). `identity` is the list id or what makes
    it: the hash is taken only when a cursor is read or made (most pages make none)."""

    first: int
    after: tuple[Any, ...] | None = None
    identity: str | Callable[[], str] = ""

    @cached_property
    def list_id(self) -> str:
        """The identity of the list this page belongs to (in each of its cursors)."""
        return self.identity if isinstance(self.identity, str) else self.identity()

    @property
    def limit(self) -> int:
        """Rows to ask Cypher for: one extra tells whether a next page exists."""
        return self.first + 1

    def cursor(self, keys: Sequence[Any]) -> str:
        """The cursor of the item with these sort keys."""
        return encode_cursor(self.list_id, keys)


def list_identity(*parts: Any) -> str:
    """A short fingerprint of what makes a list: its relationship and order texts and its
    filter values (JSON, sorted keys)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(list_id: str, keys: Sequence[Any]) -> str:
    """The opaque cursor of the item with these sort keys in list `list_id`."""
    payload = [_VERSION, list_id, [keyset.key_to_json(key) for key in keys]]
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _refuse(cursor: str, argument: str, why: str) -> BadUserInput:
    return BadUserInput(f"{why}: {cursor[:100]!r}", argument=argument)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def decode_cursor(
    cursor: str, list_id: str, key_count: int, argument: str = "after"
) -> tuple[Any, ...]:
    """The `key_count` sort keys inside a cursor of list `list_id`, or BAD_USER_INPUT."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _refuse(cursor, argument, "malformed cursor")
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        payload = json.loads(text, parse_constant=_no_constant)
        version, owner, values = payload
        if version != _VERSION or not isinstance(owner, str) or not isinstance(values, list):
            raise ValueError("not a cursor")
        keys = tuple(_checked_key(keyset.key_from_json(value)) for value in values)
    except (binascii.Error, UnicodeError, ValueError, TypeError, BadUserInput):
        raise _refuse(cursor, argument, "malformed cursor") from None
    if owner != list_id or len(keys) != key_count:
        raise _refuse(cursor, argument, "this cursor belongs to another list or order")
    return keys


def _checked_key(value: Any) -> Any:
    """A sort key Neo4j can take as a parameter (ValueError or BadUserInput otherwise): a
    forged cursor must not reach the database with a value it would fail on."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not _INT64[0] <= value <= _INT64[1]
    ):
        raise ValueError("integer out of range")
    if isinstance(value, datetime):
        return checked_moment(value, "after")
    if isinstance(value, date):
        return checked_date(value, "after")
    return value


def checked_page_size(first: int | None) -> int:
    """`first` (default 20), or BAD_USER_INPUT outside 0..100."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(
            f"first must be between 0 and {MAX_PAGE_SIZE}, got {size}",
            argument="first",
            max=MAX_PAGE_SIZE,
        )
    return size


def page_request(
    first: int | None, after: str | None, list_id: str | Callable[[], str], order: str
) -> PageRequest:
    """Validate `first`/`after` (a cursor of list `list_id`, sorted by the constant `order`)
    into a PageRequest."""
    size = checked_page_size(first)
    request = PageRequest(first=size, identity=list_id)
    if after is None:
        return request
    keys = decode_cursor(after, request.list_id, len(keyset.order_keys(order)))
    return PageRequest(first=size, after=keys, identity=request.list_id)


def hop_page_request(
    first: int | None,
    after: str | None,
    hop: Hop,
    order: str = "",
    arguments: Mapping[str, Any] | None = None,
) -> PageRequest:
    """The PageRequest of a page of neighbours over `hop`, in `order` (the hop's unless given),
    filtered by the field's `arguments` as the client gave them (not the query parameters
    made of them: those may hold the request's "now", which a cursor outlives): its cursors
    belong to that list."""
    order = order or hop.order_by()

    def list_id() -> str:
        given = {name: repr(value) for name, value in (arguments or {}).items()}
        return list_identity("hop", hop.pattern, hop.condition(), order, given)

    return page_request(first, after, list_id, order)
