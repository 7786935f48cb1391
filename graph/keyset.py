"""Keyset pagination: where a page starts, as the sort keys of the row before it.

A list's order is one of our constant ORDER BY texts (`t.name, t.id`, `t.reportedAt DESC,
t.code`, `r.points DESC, t.id` ...), always ending in a unique key so that it is total. Each
row of a page carries its sort keys (`keys_projection`); the next page takes the rows that
sort after the last one's keys (`after_condition`), so a row inserted or removed before the
cursor moves nothing after it, which offsets (SKIP) could not promise.

Neo4j sorts nulls last in ascending and first in descending order; the condition follows that,
so a list whose sort property is missing on some rows still pages through all of them. The
condition's shape depends on which cursor values are null (never on the values themselves:
they are parameters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import neo4j.time

_TERM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)(?:\s+(ASC|DESC))?$")


@dataclass(frozen=True)
class OrderKey:
    """One term of an ORDER BY: a variable's property (or the variable) and its direction."""

    expression: str
    descending: bool = False


def order_keys(order: str) -> tuple[OrderKey, ...]:
    """The terms of a constant ORDER BY text; ValueError for anything but `v.prop [ASC|DESC]`
    terms (our orders are written that way so that a cursor can carry them)."""
    keys = []
    for term in order.split(","):
        found = _TERM.match(term.strip())
        if found is None:
            raise ValueError(f"order term {term.strip()!r} is not `variable.property [DESC]`")
        keys.append(OrderKey(found.group(1), found.group(2) == "DESC"))
    return tuple(keys)


def keys_projection(order: str) -> str:
    """The Cypher list of a row's sort keys, e.g. `[t.name, t.id]`."""
    return "[" + ", ".join(key.expression for key in order_keys(order)) + "]"


def after_condition(order: str, values: Sequence[Any], parameter: str) -> str:
    """A Cypher condition true for the rows sorting after the row whose keys are `values`,
    with `$<parameter>` holding those values as a list (in `after_parameter` form)."""
    keys = order_keys(order)
    if len(values) != len(keys):
        raise ValueError(f"{len(values)} cursor values for {len(keys)} order keys")
    alternatives = []
    for index, key in enumerate(keys):
        value = f"${parameter}[{index}]"
        same = [
            _equal(earlier.expression, f"${parameter}[{i}]", values[i] is None)
            for i, earlier in enumerate(keys[:index])
        ]
        later = _later(key, value, values[index] is None)
        if later is None:
            continue
        alternatives.append(" AND ".join([*same, later]))
    if not alternatives:
        return "false"
    return " OR ".join(f"({alternative})" for alternative in alternatives)


def _equal(expression: str, value: str, null: bool) -> str:
    return f"{expression} IS NULL" if null else f"{expression} = {value}"


def _later(key: OrderKey, value: str, null: bool) -> str | None:
    """Rows whose `key` sorts strictly after `value` (None: no row can)."""
    if key.descending:  # nulls first, then large to small
        return f"{key.expression} IS NOT NULL" if null else f"{key.expression} < {value}"
    if null:  # ascending, nulls last: nothing sorts after a null
        return None
    return f"({key.expression} > {value} OR {key.expression} IS NULL)"


# Sort keys travel in cursors as JSON: strings, numbers, booleans and nulls as they are,
# temporal values tagged with their ISO text, offset kept. Rows reach Python as Python
# dates and datetimes (graph/client.to_native: microseconds, which is all our writes store).


def key_to_json(value: Any) -> Any:
    """A sort key as JSON (ValueError for a type a cursor cannot carry)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date):
        value = value.to_native()
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise ValueError(f"a sort key of type {type(value).__name__} cannot go into a cursor")


def key_from_json(value: Any) -> Any:
    """A sort key back from JSON, as the driver sends it (ValueError when malformed)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict) and len(value) == 1:
        [(tag, text)] = value.items()
        if isinstance(text, str) and len(text) <= 64:
            if tag == "datetime":
                return datetime.fromisoformat(text)
            if tag == "date":
                return date.fromisoformat(text)
    raise ValueError("not a sort key")
