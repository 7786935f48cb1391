"""GraphQL types of departments (职能部门, 民生服务单位) and their professional grid members."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import departments
from graph.departments import DepartmentKind as GraphDepartmentKind
from resolvers.context import RequestContext
from resolvers.reads import page
from resolvers.relations import Shape, relation
from schema.persons import PersonConnection, person_connection
from schema.relay import Node, global_id

Context = Info[RequestContext, None]

strawberry.enum(
    GraphDepartmentKind,
    name="DepartmentKind",
    description="A functional department or a livelihood service unit (water, power, gas ...).",
)
DepartmentKind = GraphDepartmentKind


@strawberry.type(
    description="A functional department (职能部门) or livelihood service unit (民生服务单位)."
)
class Department(Node):
    code: str
    name: str
    kind: DepartmentKind

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Department:
        return cls(
            id=global_id("Department", row["code"]),
            code=row["code"],
            name=row["name"],
            kind=GraphDepartmentKind(row["kind"]),
        )

    @strawberry.field(description="Its professional grid members (专业网格员), by name.")
    @relation(departments.DEPARTMENT_MEMBERS, Shape.PAGE)
    async def members(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> PersonConnection:
        return person_connection(*await page(info, self.code, first, after))


async def all_departments(info: Context) -> list[Department]:
    """Every department and service unit, by code (a small, bounded set)."""
    rows = await info.context.loaders.every(departments.DEPARTMENT)
    return [Department.from_row(row) for row in rows]
