"""Batched reads of nodes and of their relationships, one Cypher round trip per batch.

Row scope: every builder takes `scoped`; when true, the nodes returned must also be
visible within `$scope` (graph/scope.py), so nothing outside a principal's scope is returned
or counted. The functions take the scope itself and pass it as that parameter.

A `NodeSpec` says how a label is keyed and which properties a reader gets (never the
ciphertexts or blind indexes of personal identifiers). A `Hop` says how to walk from one
node to its neighbours. From these constants the builders below write the Cypher once, at
import time; values always go in as $parameters. Every query takes the keys of many source
nodes at once (`UNWIND $keys`), so a GraphQL request costs one round trip per relationship
level, whatever the number of objects returned.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from graph import keyset
from graph import scope as row_scope
from graph.client import GraphClient

Scope = Sequence[str] | None  # place codes of a scoped principal; None: unrestricted


@dataclass(frozen=True)
class NodeSpec:
    """A label, its natural key and the properties readers get."""

    label: str
    key: str
    properties: tuple[str, ...]
    with_roles: bool = False  # also return the role labels (Person)
    with_label: bool = False  # also return the first label (targets of several labels)

    def projection(self, var: str, only: frozenset[str] | None = None) -> str:
        """Cypher map projection of the readable properties (`only`: just those of them that
        a selection reads; None: all), plus the key and roles."""
        read = self.properties if only is None else [p for p in self.properties if p in only]
        fields = [f".{p}" for p in dict.fromkeys((self.key, *read))]
        if self.with_roles:
            fields.append(f"roles: [l IN labels({var}) WHERE l <> '{self.label}']")
        if self.with_label:
            fields.append(f"label: labels({var})[0]")
        return f"{var} {{{', '.join(fields)}}}"


@dataclass(frozen=True)
class Hop:
    """A walk from a source node (`s`) to neighbours (`t`) over relationship `r`.

    `pattern` is Cypher after `MATCH`, naming `s`, `r` and `t`; `order` sorts neighbours.
    """

    source: NodeSpec
    pattern: str
    target: NodeSpec
    edge: tuple[str, ...] = ()
    order: str = ""
    where: str = ""  # an extra condition on t/r, with $parameters supplied per call
    # Filters on t/r that apply only when their parameter is set: (parameter, condition).
    optional: tuple[tuple[str, str], ...] = ()
    edge_map: str = ""  # a Cypher map for the edge, instead of the `edge` properties
    by_prefix: bool = False  # key is a code prefix: every source whose code starts with it
    # Row scope: a target reached from a source place inside the scope is visible (a grid's
    # current residents, its cases), so the target's own test runs only for other sources.
    visible_from_source: bool = False
    # The relationship from `s` whose count is the hop's unconditioned count, e.g.
    # "(s)<-[:RESIDES_IN]-()": only when every such relationship reaches a target and meets
    # `where` (the data model guarantees it). Totals then read the source's degree, which Neo4j
    # keeps per type and direction, instead of walking every relationship.
    degree: str = ""

    def condition(self, given: Mapping[str, Any] | None = None) -> str:
        """The hop's condition on t/r: `where` and the optional filters. Without `given`, one
        text for any parameters: each optional filter passes when its parameter is null. With
        `given` (the parameter values of one read), only the filters whose parameter is set:
        Neo4j then tests nothing for the others, row by row."""
        parts = [self.where] if self.where else []
        for name, test in self.optional:
            if given is None:
                parts.append(f"(${name} IS NULL OR {test})")
            elif given.get(name) is not None:
                parts.append(f"({test})")
        return " AND ".join(parts)

    def match_clause(
        self, scoped: bool, after: str = "", given: Mapping[str, Any] | None = None
    ) -> str:
        """`MATCH pattern WHERE` from the source `key` (row scope of `t` when scoped; `after`:
        a keyset condition, graph/keyset.py; `given`: the read's parameter values, to write
        only the optional filters that are set)."""
        where = self.condition(given)
        condition = f" AND ({where})" if where else ""
        if scoped:
            target = row_scope.visible(self.target.label, "t")
            if self.visible_from_source:
                target = f"({row_scope.inside('s.' + self.source.key)} OR {target})"
            condition += f" AND {target}"
        if after:
            condition += f" AND ({after})"
        return f"MATCH {self.pattern}\nWHERE {self._from_key()}{condition}"

    def _from_key(self) -> str:
        """Cypher: the source `s` is the one keyed `key` (or one under it, `by_prefix`)."""
        test = "STARTS WITH" if self.by_prefix else "="
        return f"s.{self.source.key} {test} key"

    def total_clause(self, scoped: bool, given: Mapping[str, Any] | None = None) -> str:
        """The count of neighbours from the source `key`: `... RETURN <count> AS total`.

        Without conditions the count is the sources' `degree` (when the hop declares one):
        for a scoped principal too when targets reached from a source inside the scope are
        visible, and the sources outside it count their visible targets one by one."""
        if not self.degree or self.condition(given) or (scoped and not self.visible_from_source):
            return f"{self.match_clause(scoped, given=given)}\nRETURN count(*) AS total"
        sources = f"MATCH (s:{self.source.label})\nWHERE {self._from_key()}"
        degree = f"COUNT {{ {self.degree} }}"
        if not scoped:
            return f"{sources}\nRETURN sum({degree}) AS total"
        inside = row_scope.inside(f"s.{self.source.key}")
        visible = row_scope.visible(self.target.label, "t")
        one_by_one = f"COUNT {{ MATCH {self.pattern} WHERE {visible} }}"
        count = f"CASE WHEN {inside} THEN {degree} ELSE {one_by_one} END"
        return f"{sources}\nRETURN sum({count}) AS total"

    def edge_projection(self) -> str:
        """The Cypher map of the relationship's properties (`r`) returned with each neighbour."""
        if self.edge_map:
            return self.edge_map
        if not self.edge:
            return "{}"
        return "r {" + ", ".join(f".{p}" for p in self.edge) + "}"

    def order_by(self) -> str:
        """The neighbours' ORDER BY (the target's key when the hop names none)."""
        return self.order or f"t.{self.target.key}"

    def all_query(self, scoped: bool = False) -> LiteralString:
        """Every neighbour of each source key: rows (key, node, edge)."""
        text = (
            "UNWIND $keys AS key\n"
            f"{self.match_clause(scoped)}\n"
            f"RETURN key, {self.target.projection('t')} AS node, {self.edge_projection()} AS edge\n"
            f"ORDER BY {self.order_by()}"
        )
        return text  # built only from the constants of this module and its callers

    def page_query(
        self,
        with_total: bool,
        order: str = "",
        scoped: bool = False,
        after: Sequence[Any] | None = None,
    ) -> LiteralString:
        """One page of neighbours per source key (LIMIT $limit), each with its sort keys, and
        the total. `after`: the sort keys of the row before the page (a cursor's; the values go
        in `$after`), None for the first page.

        `order` (a constant of the caller's, e.g. from a sort enum) replaces the hop's order.
        """
        order = order or self.order_by()
        start = "" if after is None else keyset.after_condition(order, after, "after")
        total = (
            "CALL (key) {\n" + textwrap.indent(self.total_clause(scoped), "  ") + "\n}\n"
            if with_total
            else ""
        )
        text = (
            "UNWIND $keys AS key\n"
            f"{total}"
            "CALL (key) {\n"
            f"  {self.match_clause(scoped, start)}\n"
            f"  WITH t, r ORDER BY {order} LIMIT $limit\n"
            f"  RETURN collect({{node: {self.target.projection('t')},"
            f" edge: {self.edge_projection()}, keys: {keyset.keys_projection(order)}}}) AS items\n"
            "}\n"
            f"RETURN key, items{', total' if with_total else ', null AS total'}"
        )
        return text


def _where_visible(spec: NodeSpec, scoped: bool) -> str:
    return f"WHERE {row_scope.visible(spec.label, 'n')}\n" if scoped else ""


def nodes_query(spec: NodeSpec, scoped: bool = False) -> LiteralString:
    """The nodes of one label with the given keys: rows (key, node)."""
    text = (
        "UNWIND $keys AS key\n"
        f"MATCH (n:{spec.label} {{{spec.key}: key}})\n"
        f"{_where_visible(spec, scoped)}"
        f"RETURN key, {spec.projection('n')} AS node"
    )
    return text


def every_node_query(spec: NodeSpec, scoped: bool = False) -> LiteralString:
    """Every node of one label, by key (only for small, bounded labels): rows (node)."""
    text = (
        f"MATCH (n:{spec.label})\n"
        f"{_where_visible(spec, scoped)}"
        f"RETURN {spec.projection('n')} AS node\nORDER BY n.{spec.key}"
    )
    return text


def scope_params(scope: Scope) -> dict[str, Any]:
    """The `$scope` parameter of a scoped query (nothing for an unrestricted one)."""
    return {} if scope is None else {"scope": list(scope)}


Row = dict[str, Any]


class PartialRow(dict[str, Any]):
    """A node row projected with only the properties a selection reads (a compiled read,
    resolvers/projection.py): the properties left out read as None, like absent ones."""

    def __missing__(self, key: str) -> None:
        return None


@dataclass(frozen=True)
class Neighbour:
    """A node reached over a hop, with the properties of the relationship crossed (and, in a
    page, its sort keys: where the next page starts)."""

    node: Row
    edge: Row
    keys: tuple[Any, ...] = ()


@dataclass(frozen=True)
class NeighbourPage:
    """One page of neighbours; `total` is None when it was not asked for."""

    items: list[Neighbour]
    total: int | None


async def nodes_by_key(
    graph: GraphClient, spec: NodeSpec, keys: Sequence[str], scope: Scope = None
) -> dict[str, Row]:
    """Nodes by key (absent keys, and keys outside the scope, are missing from the result)."""
    values = {"keys": list(keys), **scope_params(scope)}
    rows = await graph.read(nodes_query(spec, scope is not None), values)
    return {row["key"]: row["node"] for row in rows}


async def every_node(graph: GraphClient, spec: NodeSpec, scope: Scope = None) -> list[Row]:
    """Every node of a small, bounded label (departments, committees), by key."""
    rows = await graph.read(every_node_query(spec, scope is not None), scope_params(scope))
    return [row["node"] for row in rows]


async def neighbours(
    graph: GraphClient,
    hop: Hop,
    keys: Sequence[str],
    params: Mapping[str, Any] | None = None,
    scope: Scope = None,
) -> dict[str, list[Neighbour]]:
    """All neighbours of every source key, in one query."""
    values = {**(params or {}), "keys": list(keys), **scope_params(scope)}
    rows = await graph.read(hop.all_query(scope is not None), values)
    grouped: dict[str, list[Neighbour]] = {key: [] for key in keys}
    for row in rows:
        grouped[row["key"]].append(Neighbour(row["node"], row["edge"]))
    return grouped


async def neighbour_pages(
    graph: GraphClient,
    hop: Hop,
    keys: Sequence[str],
    after: Sequence[Any] | None,
    limit: int,
    with_total: bool,
    params: Mapping[str, Any] | None = None,
    order: str = "",
    scope: Scope = None,
) -> dict[str, NeighbourPage]:
    """One page of neighbours of every source key (and their totals), in one query; `after`:
    the sort keys the page starts after (None: from the start)."""
    values = {
        **(params or {}),
        "keys": list(keys),
        "after": None if after is None else list(after),
        "limit": limit,
        **scope_params(scope),
    }
    query = hop.page_query(with_total, order, scope is not None, after)
    rows = await graph.read(query, values)
    pages = {key: NeighbourPage([], 0 if with_total else None) for key in keys}
    for row in rows:
        items = [
            Neighbour(item["node"], item["edge"], tuple(item["keys"])) for item in row["items"]
        ]
        pages[row["key"]] = NeighbourPage(items, row["total"])
    return pages
