"""GraphQL types of people's mediation (人民调解): committees, mediators, studios."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import mediation
from graph.mediation import CommitteeLevel as GraphCommitteeLevel
from graph.mediation import MediatorKind as GraphMediatorKind
from graph.traversal import Neighbour
from resolvers.context import RequestContext
from resolvers.filters import mediator_kind_params
from resolvers.reads import first_node, neighbours, page
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour
from schema.persons import Person
from schema.places import Place, place_from_row
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

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


@builds(mediation.MEDIATION_COMMITTEE)
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
    @relation(mediation.COMMITTEE_MEMBERS, Shape.PAGE, params=mediator_kind_params)
    async def members(
        self,
        info: Context,
        kind: MediatorKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MediatorConnection:
        request, found = await page(info, self.code, first, after, kind=kind)
        items, info_ = page_slice(request, found)
        edges = [
            MediatorEdge(
                request=request,
                keys=n.keys,
                node=Person.from_row(n.node),
                kind=GraphMediatorKind(n.edge["kind"]),
            )
            for n in items
        ]
        return MediatorConnection(edges=edges, page_info=info_, total_count=found.total)

    @strawberry.field(description="The places it covers (grids of one or two streets), by code.")
    @relation(mediation.COMMITTEE_PLACES)
    async def covered_places(self, info: Context) -> list[Place]:
        return [place_from_row(n.node) for n in await neighbours(info, self.code)]

    @strawberry.field(description="Featured mediation studios (调解工作室) under it, by code.")
    @relation(mediation.COMMITTEE_STUDIOS)
    async def studios(self, info: Context) -> list[MediationStudio]:
        return [MediationStudio.from_row(n.node) for n in await neighbours(info, self.code)]


@strawberry.type(description="A featured mediation studio (调解工作室) under a committee.")
class MediationStudio(Node):
    code: str = strawberry.field(description="Street code + 'S' + 2 digits.")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MediationStudio:
        return cls(id=global_id("MediationStudio", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The committee it works under.")
    @relation(mediation.STUDIO_COMMITTEE, Shape.ONE)
    async def committee(self, info: Context) -> MediationCommittee | None:
        return first_node(MediationCommittee.from_row, await neighbours(info, self.code))


@strawberry.type
class MediatorEdge(Edge):
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


@builds_neighbour(mediation.PERSON_COMMITTEES)
def committee_membership(found: Neighbour) -> CommitteeMembership:
    """A person's membership: the committee reached, the kind of mediator on the edge."""
    return CommitteeMembership(
        kind=MediatorKind(found.edge["kind"]), committee=MediationCommittee.from_row(found.node)
    )


async def all_committees(info: Context) -> list[MediationCommittee]:
    """Every mediation committee, by code (a small, bounded set)."""
    rows = await info.context.loaders.every(mediation.MEDIATION_COMMITTEE)
    return [MediationCommittee.from_row(row) for row in rows]
