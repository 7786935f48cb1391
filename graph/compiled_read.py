"""One Cypher query for a whole selection: nested relationship reads as `CALL` subqueries.

A GraphQL request walks relationships level by level; read one level at a time it costs one
round trip per level (traversal.py). A `Read` describes one relationship field of the
selection (its `Hop`, the page or list it wants, its parameters) and, nested, the reads to
run from each node it reaches. `compile_node_lookup` and `compile_read` turn a tree of
reads into one query text, in which every level is a subquery:

    CALL (t) {
      WITH t.code AS key                        -- the parent node's key
      CALL (key) {                              -- the items: always one row
        MATCH <hop pattern> WHERE s.code = key AND <hop condition> AND <row scope of t>
              AND <keyset: after the cursor's sort keys>              -- pages after a cursor
        WITH s, r, t ORDER BY <order> LIMIT $r2_limit                 -- pages only
        CALL (t) { ... the reads nested under this one, the same shape ... }
        WITH * ORDER BY <order>                 -- in order again after the nested calls
        RETURN collect({node: <projection of t>, edge: <edge>, keys: <sort keys>, c: {`n3`: v3}})
          AS items
      }
      CALL (key) { MATCH ... RETURN count(*) AS total }    -- totalCount only (or the degree)
      RETURN {items: items, total: total} AS v2                        -- a list: items
    }

A page whose items are not selected (only `totalCount`) reads no items at all. A read's
`properties` (resolvers/projection.py) narrow the node projection to what the selection reads.

Each level reuses its Hop's own `MATCH ... WHERE` text (the same Cypher as the per-level
path, row scope included), so both paths read exactly the same rows, with one difference:
the hop's optional filters (a case list's `kind`, `status`, ...) are written only when their
parameter is set. The per-level text tests `$kind IS NULL OR ...` for each of them on every
row, which made a district street's roll-up about 1.6 times slower in Neo4j (docs/reads.md).
A hop's `$parameters` are renamed per read (`$role` becomes `$r2_role`): two reads never
share a name. `$scope` is the principal's, shared by every level. The text depends only on
the tree's shape and on which optional filters are set (the values go in as parameters; a
cursor adds its keyset condition, graph/keyset.py), so Neo4j plans each shape once and
caches the plan.

Results: a list read gives a list of items `{node, edge, c}` (`c`: the nested reads' results
by slot name; a page's items also carry their sort `keys`, the cursor); a page read gives
`{items: [...], total}` (total null unless asked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph import keyset
from graph import scope as row_scope
from graph.traversal import Hop, NodeSpec

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SHARED_PARAMETERS = frozenset({"scope"})


@dataclass(frozen=True)
class Read:
    """One relationship read of a compiled selection, and the reads nested under it."""

    hop: Hop
    paged: bool = False  # a page (keyset, LIMIT, optional total) rather than every neighbour
    params: Mapping[str, Any] = field(default_factory=dict)  # the hop's own parameters
    order: str = ""  # a constant ORDER BY replacing the hop's (pages only)
    after: tuple[Any, ...] | None = None  # the sort keys the page starts after (graph/keyset.py)
    limit: int = 0  # rows of the page (pages only; 0 with with_items False reads none)
    with_items: bool = True
    with_total: bool = False
    nested: tuple[tuple[str, Read], ...] = ()  # response key -> read, from each node reached
    properties: frozenset[str] | None = None  # the target's properties read; None: all
    with_keys: bool = True  # each page item's sort keys (for cursors; pages only)


@dataclass
class _Writer:
    """Numbers the reads of one query and collects their renamed parameters."""

    scoped: bool
    params: dict[str, Any] = field(default_factory=dict)
    count: int = 0

    def name(self) -> int:
        self.count += 1
        return self.count

    def rename(self, text: str, number: int, values: Mapping[str, Any]) -> str:
        """`text` with its own parameters renamed for read `number` (their values kept)."""

        def renamed(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in _SHARED_PARAMETERS:
                return match.group(0)
            return f"$r{number}_{name}"

        for name, value in values.items():
            self.params[f"r{number}_{name}"] = value
        return _PARAMETER.sub(renamed, text)


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line if line else line for line in text.split("\n"))


def _nested_calls(writer: _Writer, nested: tuple[tuple[str, Read], ...]) -> tuple[str, str]:
    """The CALL subqueries of reads nested under node `t`, and the map of their results."""
    calls: list[str] = []
    entries: list[str] = []
    for key, read in nested:
        number = writer.name()
        body = _read_body(writer, read, number, f"t.{read.hop.source.key}")
        calls.append("CALL (t) {\n" + _indent(body) + "\n}")
        entries.append(f"`{key}`: v{number}")
    return "\n".join(calls), "{" + ", ".join(entries) + "}"


def _read_body(writer: _Writer, read: Read, number: int, key_expression: str) -> str:
    """The subquery of one read: from `key` to its value `v<number>` (always one row). A page
    whose items are not selected reads none (only its total)."""
    hop = read.hop
    match = writer.rename(hop.match_clause(writer.scoped, given=read.params), number, read.params)
    order = read.order or hop.order_by()
    lines = [f"WITH {key_expression} AS key"]
    items = "[]"
    if read.with_items or not read.paged:
        body = [match]
        keys = ""
        if read.paged:
            if read.after is not None:
                start = keyset.after_condition(order, read.after, "after")
                values = {**read.params, "after": list(read.after)}
                clause = hop.match_clause(writer.scoped, start, given=read.params)
                body = [writer.rename(clause, number, values)]
            writer.params[f"r{number}_limit"] = read.limit
            body.append(f"WITH s, r, t ORDER BY {order} LIMIT $r{number}_limit")
            if read.with_keys:
                keys = f", keys: {keyset.keys_projection(order)}"
        calls, children = _nested_calls(writer, read.nested)
        if calls:
            body.append(calls)
        node, edge = hop.target.projection("t", read.properties), hop.edge_projection()
        item = f"{{node: {node}, edge: {edge}{keys}, c: {children}}}"
        body += [f"WITH * ORDER BY {order}", f"RETURN collect({item}) AS items"]
        lines.append("CALL (key) {\n" + _indent("\n".join(body)) + "\n}")
        items = "items"
    if not read.paged:
        lines.append(f"RETURN items AS v{number}")
        return "\n".join(lines)
    total = "null"
    if read.with_total:
        count = writer.rename(hop.total_clause(writer.scoped, read.params), number, read.params)
        lines.append("CALL (key) {\n" + _indent(count) + "\n}")
        total = "total"
    lines.append(f"RETURN {{items: {items}, total: {total}}} AS v{number}")
    return "\n".join(lines)


def compile_read(read: Read, scoped: bool) -> tuple[LiteralString, dict[str, Any]]:
    """One query for a read from the key `$key` (a root list or page): one row, `value`."""
    writer = _Writer(scoped)
    number = writer.name()
    body = _read_body(writer, read, number, "$key")
    text = f"CALL () {{\n{_indent(body)}\n}}\nRETURN v{number} AS value"
    return text, writer.params


def compile_node_lookup(
    spec: NodeSpec,
    nested: tuple[tuple[str, Read], ...],
    scoped: bool,
    properties: frozenset[str] | None = None,
) -> tuple[LiteralString, dict[str, Any]]:
    """One query for the node of `spec` keyed `$key` and the reads nested under it: one row
    (`node`, `c`) when it exists and is visible, none otherwise. `properties`: the node's
    properties read (None: all)."""
    writer = _Writer(scoped)
    where = f"\nWHERE {row_scope.visible(spec.label, 't')}" if scoped else ""
    calls, children = _nested_calls(writer, nested)
    lines = [f"MATCH (t:{spec.label} {{{spec.key}: $key}}){where}"]
    if calls:
        lines.append(calls)
    lines.append(f"RETURN {spec.projection('t', properties)} AS node, {children} AS c")
    return "\n".join(lines), writer.params
