"""Relay-style pagination arguments: `first` (default 20, at most 100) and `after` (a cursor).

Cursors are opaque to clients; inside they are offsets, and the page itself is cut in Cypher
(SKIP/LIMIT), never by slicing Python lists.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from resolvers.errors import BadUserInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "offset:"
# The largest offset a cursor may carry: more than any list holds, far below Neo4j's 64-bit
# SKIP (a bigger one would overflow it and fail inside the database, not as bad input).
MAX_CURSOR_OFFSET = 1_000_000_000
_OFFSET = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class PageRequest:
    """Which slice to read: skip this many, return at most `first` (read one more to peek)."""

    skip: int
    first: int

    @property
    def limit(self) -> int:
        """Rows to ask Cypher for: one extra tells whether a next page exists."""
        return self.first + 1

    def cursor(self, index: int) -> str:
        """The cursor of the item at `index` within this page."""
        return encode_cursor(self.skip + index)


def encode_cursor(offset: int) -> str:
    """The opaque cursor of the item at this absolute offset."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str, argument: str = "after") -> int:
    """The absolute offset inside a cursor (0..MAX_CURSOR_OFFSET), or BAD_USER_INPUT."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    digits = text.removeprefix(_CURSOR_PREFIX) if text.startswith(_CURSOR_PREFIX) else ""
    offset = int(digits) if _OFFSET.fullmatch(digits) else -1
    if not 0 <= offset <= MAX_CURSOR_OFFSET:
        raise BadUserInput(
            f"malformed or out-of-range cursor {cursor[:100]!r}",
            argument=argument,
            maxOffset=MAX_CURSOR_OFFSET,
        )
    return offset


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


def page_request(first: int | None, after: str | None) -> PageRequest:
    """Validate `first`/`after` into a PageRequest."""
    skip = 0 if after is None else decode_cursor(after) + 1
    return PageRequest(skip=skip, first=checked_page_size(first))
