"""Inboxes: the cases waiting for an office, most urgent first (docs/workflow.md).

A case waits for whoever holds it (`Case.currentLevel` and `Case.assignee`, stored by every
transition of graph/case_workflow.py): to accept it, sign its work order or handle it, until
its deadline (`dueAt`, `dueFor`). A resolved case also waits for the follow-up visit (回访)
of its grid's worker. Pages are ordered by the deadline (nothing due last), then code, start
after a cursor's keys (graph/keyset.py: an inbox changes as cases move on, and a keyset page
moves with it), and are read with the caller's row scope (graph/scope.py), like every list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from graph import cases, keyset
from graph import scope as row_scope
from graph.case_workflow import CaseStatus
from graph.client import GraphClient
from graph.traversal import Neighbour, NeighbourPage, Scope, scope_params

ORDER: LiteralString = "t.dueAt, t.code"  # most urgent first, nothing due last
FOLLOW_UP = "follow_up"  # the duty of a resolved case waiting for its follow-up visit
DONE: tuple[str, ...] = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)

# Cases held at one of `$levels` by an assignee under one of `$holders` (codes nest, so a
# place's code is a prefix of the codes under it), and resolved cases of the grids under
# `$followUp`. The assignee index serves the prefix match.
_WAITING: LiteralString = """
CALL () {
  UNWIND $holders AS holder
  MATCH (t:Case)
  WHERE t.assignee STARTS WITH holder AND t.currentLevel IN $levels AND NOT t.status IN $done
  RETURN t, coalesce(t.dueFor, 'resolve') AS duty
  UNION
  UNWIND $followUp AS prefix
  MATCH (g:Grid)<-[:OCCURRED_IN]-(t:Case {status: 'resolved'})
  WHERE g.code STARTS WITH prefix
  RETURN t, 'follow_up' AS duty
}
"""


def _where(scoped: bool) -> LiteralString:
    return "WITH t, duty WHERE " + row_scope.visible("Case", "t") + "\n" if scoped else ""


def page_query(scoped: bool, after: Sequence[Any] | None = None) -> LiteralString:
    """One page of waiting cases after the sort keys `after` ($after; None: from the most
    urgent): (node, duty, keys)."""
    start = "" if after is None else keyset.after_condition(ORDER, after, "after")
    return (
        _WAITING
        + _where(scoped)
        + (f"WITH t, duty WHERE {start}\n" if start else "")
        + f"WITH t, duty ORDER BY {ORDER} LIMIT $limit\n"
        + "RETURN "
        + cases.CASE.projection("t")
        + f" AS node, duty, {keyset.keys_projection(ORDER)} AS keys"
    )


def count_query(scoped: bool) -> LiteralString:
    """How many cases wait."""
    return _WAITING + _where(scoped) + "RETURN count(*) AS total"


@dataclass(frozen=True)
class Waiting:
    """Whose inbox: assignee prefixes at some levels, and grids whose resolved cases wait for
    a follow-up visit."""

    holders: Sequence[str]
    levels: Sequence[str]
    follow_up: Sequence[str] = ()

    def params(self) -> dict[str, Any]:
        """The query parameters."""
        return {
            "holders": list(self.holders),
            "levels": list(self.levels),
            "followUp": list(self.follow_up),
            "done": list(DONE),
        }


async def waiting_page(
    graph: GraphClient,
    waiting: Waiting,
    after: Sequence[Any] | None,
    limit: int,
    with_total: bool,
    scope: Scope = None,
) -> NeighbourPage:
    """A page of the cases waiting after the sort keys `after` (edge: {duty}); `limit` 0
    reads no node."""
    params = {**waiting.params(), **scope_params(scope), "limit": limit}
    params["after"] = None if after is None else list(after)
    scoped = scope is not None
    items: list[Neighbour] = []
    if limit > 0:
        rows = await graph.read(page_query(scoped, after), params)
        items = [Neighbour(row["node"], {"duty": row["duty"]}, tuple(row["keys"])) for row in rows]
    total = None
    if with_total:
        [row] = await graph.read(count_query(scoped), params)
        total = int(row["total"])
    return NeighbourPage(items, total)
