"""Whole-database chores: is it empty, wipe it (tests and `seed --reset`)."""

from __future__ import annotations

from typing import LiteralString

from graph.client import GraphClient

COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS n"

DELETE_EVERYTHING: LiteralString = """
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""


async def is_empty(graph: GraphClient) -> bool:
    """True when the database holds no node at all."""
    rows = await graph.read(COUNT_NODES)
    return int(rows[0]["n"]) == 0


async def delete_everything(graph: GraphClient) -> None:
    """Delete every node and relationship, in batches; constraints and indexes stay."""
    await graph.run_auto_commit(DELETE_EVERYTHING)
