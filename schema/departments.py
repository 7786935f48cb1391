"""GraphQL types of departments (职能部门, 民生服务单位) and their professional grid members."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import departments
from graph.departments import DepartmentKind as GraphDepartmentKind
from resolvers.context import RequestContext
from schema.persons import Person, PersonConnection, person_connection
from schema.places import Grid
from schema.relay import Node, global_id, read_page

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
    async def members(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> PersonConnection:
        request, page = await read_page(
            info, departments.DEPARTMENT_MEMBERS, self.code, first, after
        )
        return person_connection(request, page)


async def all_departments(info: Context) -> list[Department]:
    """Every department and service unit, by code (a small, bounded set)."""
    rows = await info.context.loaders.every(departments.DEPARTMENT)
    return [Department.from_row(row) for row in rows]


async def department_of(info: Context, person_id: str) -> Department | None:
    """The department a professional member belongs to, if any."""
    found = await info.context.loaders.neighbours(departments.PERSON_DEPARTMENT, person_id)
    return Department.from_row(found[0].node) if found else None


async def grids_supported_by(info: Context, person_id: str) -> list[Grid]:
    """The grids a professional member supports (包保), by code."""
    found = await info.context.loaders.neighbours(departments.SUPPORTED_GRIDS, person_id)
    return [Grid.from_row(n.node) for n in found]


async def supporters_of_grid(info: Context, grid_code: str) -> list[Person]:
    """The professional members supporting a grid, by name."""
    found = await info.context.loaders.neighbours(departments.GRID_SUPPORTERS, grid_code)
    return [Person.from_row(n.node) for n in found]
