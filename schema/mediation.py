"""GraphQL types of people's mediation (人民调解): committees, mediators, studios."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import mediation
from graph.mediation import CommitteeLevel as GraphCommitteeLevel
from graph.mediation import MediatorKind as GraphMediatorKind
from resolvers.context import RequestContext
from schema.persons import Person
from schema.places import Place, place_from_row
from schema.relay import Node, PageInfo, global_id, page_slice, read_page

Context = Info[RequestContext, None]

strawberry.enum(
    GraphCommitteeLevel,
    name="MediationCommitteeLevel",
    description="The level a mediation committee works at.",
)
strawberry.enum(
    GraphMediatorKind,
    name="MediatorKind",
    description="三官二师一首席 (police, prosecutor, judge, lawyer, counsellor, chief legal "
    "consultant) or a community mediator.",
)
MediationCommitteeLevel = GraphCommitteeLevel
MediatorKind = GraphMediatorKind


@strawberry.type(description="A people's mediation committee (人民调解委员会).")
class MediationCommittee(Node):
    code: str
    name: str
    level: MediationCommitteeLevel

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MediationCommittee:
        return cls(
            id=global_id("MediationCommittee", row["code"]),
            code=row["code"],
            name=row["name"],
            level=GraphCommitteeLevel(row["level"]),
        )

    @strawberry.field(description="Its mediators with their kind, by name; `kind` filters.")
    async def members(
        self,
        info: Context,
        kind: MediatorKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MediatorConnection:
        params = {"kind": kind.value if kind else None}
        request, page = await read_page(
            info, mediation.COMMITTEE_MEMBERS, self.code, first, after, params
        )
        items, info_ = page_slice(request, page)
        edges = [
            MediatorEdge(
                cursor=request.cursor(i),
                node=Person.from_row(n.node),
                kind=GraphMediatorKind(n.edge["kind"]),
            )
            for i, n in enumerate(items)
        ]
        return MediatorConnection(edges=edges, page_info=info_, total_count=page.total)

    @strawberry.field(description="The places it covers (grids of one or two streets), by code.")
    async def covered_places(self, info: Context) -> list[Place]:
        found = await info.context.loaders.neighbours(mediation.COMMITTEE_PLACES, self.code)
        return [place_from_row(n.node) for n in found]

    @strawberry.field(description="Featured mediation studios (调解工作室) under it, by code.")
    async def studios(self, info: Context) -> list[MediationStudio]:
        found = await info.context.loaders.neighbours(mediation.COMMITTEE_STUDIOS, self.code)
        return [MediationStudio.from_row(n.node) for n in found]


@strawberry.type(description="A featured mediation studio (调解工作室) under a committee.")
class MediationStudio(Node):
    code: str = strawberry.field(description="Street code + 'S' + 2 digits.")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MediationStudio:
        return cls(id=global_id("MediationStudio", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The committee it works under.")
    async def committee(self, info: Context) -> MediationCommittee | None:
        found = await info.context.loaders.neighbours(mediation.STUDIO_COMMITTEE, self.code)
        return MediationCommittee.from_row(found[0].node) if found else None


@strawberry.type
class MediatorEdge:
    cursor: str
    node: Person
    kind: MediatorKind = strawberry.field(description="What kind of mediator the person is here.")


@strawberry.type(description="A page of a committee's mediators.")
class MediatorConnection:
    edges: list[MediatorEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching mediators (counted in the database; null unless selected)."
    )


@strawberry.type(description="A person's membership of a mediation committee.")
class CommitteeMembership:
    kind: MediatorKind
    committee: MediationCommittee


async def all_committees(info: Context) -> list[MediationCommittee]:
    """Every mediation committee, by code (a small, bounded set)."""
    rows = await info.context.loaders.every(mediation.MEDIATION_COMMITTEE)
    return [MediationCommittee.from_row(row) for row in rows]


async def memberships_of(info: Context, person_id: str) -> list[CommitteeMembership]:
    """The committees a person mediates in, with their kind."""
    found = await info.context.loaders.neighbours(mediation.PERSON_COMMITTEES, person_id)
    return [
        CommitteeMembership(
            kind=GraphMediatorKind(n.edge["kind"]),
            committee=MediationCommittee.from_row(n.node),
        )
        for n in found
    ]


async def committees_of_grid(info: Context, grid_code: str) -> list[MediationCommittee]:
    """Committees covering a grid or any place above it, each once, by code."""
    found = await info.context.loaders.neighbours(mediation.GRID_COMMITTEES, grid_code)
    return [MediationCommittee.from_row(n.node) for n in found]
