"""Relay-style pagination arguments: `first` (default 20, at most 100) and `after` (a cursor).

Cursors are opaque to clients; inside they are offsets, and the page itself is cut in Cypher
(SKIP/LIMIT), never by slicing Python lists.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from resolvers.errors import BadUserInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "offset:"


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


def decode_cursor(cursor: str) -> int:
    """The absolute offset inside a cursor, or BAD_USER_INPUT."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        offset = int(text.removeprefix(_CURSOR_PREFIX)) if text.startswith(_CURSOR_PREFIX) else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if offset < 0:
        raise BadUserInput(f"malformed cursor {cursor!r}", argument="after")
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
