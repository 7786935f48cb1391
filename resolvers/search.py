"""Full-text search: validate the text and the page size, then ask graph/search.py (which
keeps only the hits inside a scoped principal's scope, in Cypher)."""

from __future__ import annotations

from collections.abc import Sequence

from graph import search as graph_search
from graph.search import SearchHit
from graph.traversal import NodeSpec
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.pagination import checked_page_size

MAX_TEXT_LENGTH = 100  # characters of search text (names, titles, addresses are shorter)


def checked_text(text: str) -> str:
    """The search text without surrounding blanks, or BAD_USER_INPUT when empty or too long."""
    stripped = text.strip()
    if not stripped:
        raise BadUserInput("search text must not be empty", argument="text")
    if len(stripped) > MAX_TEXT_LENGTH:
        raise BadUserInput(
            f"search text must be at most {MAX_TEXT_LENGTH} characters",
            argument="text",
            max=MAX_TEXT_LENGTH,
        )
    return stripped


async def search(
    context: RequestContext,
    specs: Sequence[NodeSpec],
    labels: Sequence[str],
    text: str,
    first: int | None,
    reads: graph_search.Reads = (),
) -> list[SearchHit]:
    """The best hits for `text` among `labels` (all searchable `specs` are known), best first;
    `reads`: the properties the selection reads of each label's hits (graph/search.py)."""
    query = checked_text(text)
    limit = checked_page_size(first)
    if limit == 0 or not labels:
        return []
    return await graph_search.search(
        context.graph, specs, labels, query, limit, context.principal.scope_codes, reads
    )
