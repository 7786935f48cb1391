"""Checks shared by the grid-activity writes (visits, volunteer activities, central-household
contacts, deliberations), each run inside the write's own transaction.

- `require_visible`: the keys name existing nodes of one label the caller may see (the read
  path's row scope, graph/scope.py); out of scope is refused exactly like unknown;
- `lock_versioned` / `bump_version`: optimistic concurrency on a record two people may edit
  (`expectedVersion`): the node's write lock is taken *before* its version is read, so two
  concurrent edits run one after the other and the second sees the first's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import LiteralString

from graph import scope as row_scope
from graph.client import TransactionWriter
from graph.traversal import NodeSpec, Scope, scope_params


class NodeNotFound(LookupError):
    """A write names a node that does not exist (or that the caller may not see)."""

    def __init__(self, what: str, keys: Sequence[str], argument: str) -> None:
        super().__init__(f"no {what} {', '.join(keys)}")
        self.what = what
        self.keys = list(keys)
        self.argument = argument


class RecordChanged(Exception):
    """The record changed since the version the caller expected (optimistic concurrency)."""

    def __init__(self, what: str, key: str, expected: int, current: int) -> None:
        super().__init__(f"{what} {key} is at version {current}, not {expected}; read it again")
        self.what = what
        self.key = key
        self.expected = expected
        self.current = current


class ActivityRefused(ValueError):
    """Arguments that do not fit the graph (a building of another grid, a non-member ...)."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


def _existing(spec: NodeSpec, scoped: bool) -> LiteralString:
    where = " WHERE " + row_scope.visible(spec.label, "n") if scoped else ""
    text = f"UNWIND $keys AS key MATCH (n:{spec.label} {{{spec.key}: key}}){where} RETURN key"
    return text  # built only from NodeSpec constants of graph/


async def require_visible(
    tx: TransactionWriter,
    spec: NodeSpec,
    keys: Sequence[str],
    argument: str,
    scope: Scope,
    what: str | None = None,
) -> None:
    """NodeNotFound unless every key names an existing node of `spec` the caller may see."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    rows = await tx.write(
        _existing(spec, scope is not None), {"keys": wanted, **scope_params(scope)}
    )
    missing = sorted(set(wanted) - {row["key"] for row in rows})
    if missing:
        raise NodeNotFound(what or spec.label, missing, argument)


def _lock(spec: NodeSpec, scoped: bool) -> LiteralString:
    where = " WHERE " + row_scope.visible(spec.label, "n") if scoped else ""
    text = f"MATCH (n:{spec.label} {{{spec.key}: $key}}){where} SET n._lock = true RETURN 1 AS ok"
    return text  # built only from NodeSpec constants of graph/


def _version(spec: NodeSpec) -> LiteralString:
    text = f"MATCH (n:{spec.label} {{{spec.key}: $key}}) RETURN n.version AS version"
    return text  # built only from NodeSpec constants of graph/


def _bump(spec: NodeSpec) -> LiteralString:
    text = (
        f"MATCH (n:{spec.label} {{{spec.key}: $key}})"
        " SET n.version = n.version + 1 REMOVE n._lock RETURN n.version AS version"
    )
    return text  # built only from NodeSpec constants of graph/


async def lock_versioned(
    tx: TransactionWriter,
    spec: NodeSpec,
    key: str,
    expected: int | None,
    argument: str,
    scope: Scope,
    what: str,
) -> int:
    """Lock the node, then read its version: NodeNotFound when unknown or out of scope,
    RecordChanged when `expected` (None: no check) is not the version now."""
    if not await tx.write(_lock(spec, scope is not None), {"key": key, **scope_params(scope)}):
        raise NodeNotFound(what, [key], argument)
    [row] = await tx.write(_version(spec), {"key": key})
    current = int(row["version"] or 0)
    if expected is not None and expected != current:
        raise RecordChanged(what, key, expected, current)
    return current


async def bump_version(tx: TransactionWriter, spec: NodeSpec, key: str) -> int:
    """The edit is written: version + 1 and the lock property removed; the new version."""
    [row] = await tx.write(_bump(spec), {"key": key})
    version: int = row["version"]
    return version
