"""How much of the schema the one-query compiler can cover (resolvers/compile.py).

    .venv/bin/python -m tools.relation_coverage

Builds the schema and walks every object type's fields: a field whose resolver is declared
with `@relation` (resolvers/relations.py) is read by the compiled query of its root field;
an async resolver without a declaration reads on its own (per-level loaders, or whatever it
calls). Root types (Query, Mutation) are listed apart: their fields start a read rather than
walk a relationship. Plain and sync fields read nothing and are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLObjectType

from resolvers.relations import DEFINITION, declaration_of
from schema import build_schema


@dataclass
class TypeCoverage:
    """The fields of one object type, by how they are read."""

    declared: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)  # async resolvers without @relation


def _is_async(strawberry_field: Any) -> bool:
    resolver = getattr(strawberry_field, "base_resolver", None)
    return bool(resolver is not None and resolver.is_async)


def coverage() -> tuple[dict[str, TypeCoverage], set[str]]:
    """Per object type (with fields to count), its declared and undeclared async fields; and
    the names of the root types."""
    schema = build_schema()
    graphql_schema = schema._schema
    roots = {
        root.name
        for root in (
            graphql_schema.query_type,
            graphql_schema.mutation_type,
            graphql_schema.subscription_type,
        )
        if root is not None
    }
    found: dict[str, TypeCoverage] = {}
    for name, graphql_type in sorted(graphql_schema.type_map.items()):
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        counted = TypeCoverage()
        for field_name, graphql_field in graphql_type.fields.items():
            strawberry_field = graphql_field.extensions.get(DEFINITION)
            if declaration_of(strawberry_field) is not None:
                counted.declared.append(field_name)
            elif _is_async(strawberry_field):
                counted.undeclared.append(field_name)
        if counted.declared or counted.undeclared:
            found[name] = counted
    return found, roots


def report() -> str:
    """The coverage as text: per type, then totals (object types apart from root types)."""
    found, roots = coverage()
    lines: list[str] = []
    totals = {"types": [0, 0], "roots": [0, 0]}
    for title, want_roots in (("Object types", False), ("Root types", True)):
        lines.append(f"{title}: declared / async not declared")
        for name, counted in found.items():
            if (name in roots) != want_roots:
                continue
            total = totals["roots" if want_roots else "types"]
            total[0] += len(counted.declared)
            total[1] += len(counted.undeclared)
            rest = f"  not declared: {', '.join(counted.undeclared)}" if counted.undeclared else ""
            lines.append(
                f"  {name:24} {len(counted.declared):3} / {len(counted.undeclared):3}{rest}"
            )
    for label, key in (("object types", "types"), ("root types", "roots")):
        declared, undeclared = totals[key]
        share = declared / (declared + undeclared) if declared + undeclared else 0.0
        lines.append(
            f"Total {label}: {declared} declared, {undeclared} async not declared"
            f" ({share:.0%} declared)"
        )
    return "\n".join(lines)


def main() -> None:
    print(report())


if __name__ == "__main__":
    main()
