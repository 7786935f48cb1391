"""Investigators' root fields: dispute networks, connections, related cases, conflicts of
interest and escalation paths."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.cases import CaseLevel
from graph.investigations import CentreKind, ConnectionType
from resolvers import investigations as resolve
from resolvers import network_analysis
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from schema.cases import Case
from schema.persons import Person
from schema.relay import decode_global_id, global_id

Context = Info[RequestContext, None]

strawberry.enum(
    ConnectionType, name="ConnectionType", description="A relationship type a connection walks."
)


@strawberry.type(description="A node of a drawn graph (person, case, grid, handler).")
class GraphNode:
    id: strawberry.ID = strawberry.field(description="Global ID of the object.")
    type: str = strawberry.field(description="Its GraphQL type: Person, Case, Grid ...")
    label: str = strawberry.field(description="A short caption for drawing.")
    properties: JSON = strawberry.field(
        description="Its readable properties; a person's `birthDate` only for roles that see "
        "clear ID-card numbers, `birthYear` for all."
    )

    @classmethod
    def build(cls, node: resolve.GraphNode) -> GraphNode:
        props = node.properties
        caption = props.get("name") or node.key
        if node.type == "Case":
            caption = f"{node.key} {props.get('title') or ''}".strip()
        return cls(
            id=global_id(node.type, node.key),
            type=node.type,
            label=str(caption),
            properties=JSON(props),
        )


@strawberry.type(description="An edge of a drawn graph, between two nodes' global IDs.")
class GraphEdge:
    id: strawberry.ID = strawberry.field(description="An id unique within the database.")
    type: str = strawberry.field(description="The relationship type, e.g. PARTY_TO.")
    source: strawberry.ID = strawberry.field(description="Global ID of the start node.")
    target: strawberry.ID = strawberry.field(description="Global ID of the end node.")
    properties: JSON = strawberry.field(
        description="The relationship's properties; RESIDES_IN `since` only as `sinceYear` "
        "for roles that do not see clear ID-card numbers."
    )

    @classmethod
    def build(cls, edge: resolve.GraphEdge) -> GraphEdge:
        return cls(
            id=strawberry.ID(edge.id),
            type=edge.type,
            source=global_id(edge.source.type, edge.source.key),
            target=global_id(edge.target.type, edge.target.key),
            properties=JSON(edge.properties),
        )


@strawberry.type(description="A bounded subgraph around a centre.")
class DisputeNetwork:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = strawberry.field(description="True when maxNodes cut the network.")


@strawberry.type(description="A path between two entities: nodes and edges in order.")
class ConnectionPath:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    length: int = strawberry.field(description="Number of edges.")


@strawberry.type(description="How two entities are connected.")
class Connections:
    shortest: ConnectionPath | None = strawberry.field(description="A shortest path, if any.")
    all_shortest: list[ConnectionPath] = strawberry.field(
        description="Every shortest path (at most 50)."
    )


@strawberry.enum(description="Why a case is related to another.")
class RelatedReason(Enum):
    SHARED_PARTY = "SHARED_PARTY"
    PARTY_FAMILY = "PARTY_FAMILY"
    SAME_GRID_CATEGORY = "SAME_GRID_CATEGORY"


@strawberry.type(description="A case related to another, with the reasons.")
class RelatedCaseOf:
    case: Case
    reasons: list[RelatedReason]


@strawberry.enum(description="Why a handler has a conflict of interest in a case.")
class ConflictReason(Enum):
    PARTY = "PARTY"
    FAMILY_OF_PARTY = "FAMILY_OF_PARTY"
    PARTY_TO_RELATED = "PARTY_TO_RELATED"
    FAMILY_OF_RELATED_PARTY = "FAMILY_OF_RELATED_PARTY"
    PARTY_IN_NEIGHBOURING_GRID = "PARTY_IN_NEIGHBOURING_GRID"


@strawberry.type(description="A handler (mediator, grid worker ...) with a stake in a case.")
class ConflictOfInterest:
    person: Person = strawberry.field(description="The handler.")
    case: Case = strawberry.field(description="The case they handle.")
    via: Case = strawberry.field(description="The case they (or family) are a party to.")
    reason: ConflictReason
    roles: list[str] = strawberry.field(description="Their HANDLED_BY roles in the case.")


@strawberry.type(description="Time a case spent at one level of the hierarchy.")
class LevelStay:
    level: CaseLevel
    place_code: str | None = strawberry.field(description="The grid, place or department.")
    place_name: str | None
    entered_at: datetime
    left_at: datetime | None = strawberry.field(
        description="When it moved on, was resolved or closed; null while it is open there."
    )
    seconds: float = strawberry.field(description="Time spent there, in seconds.")
    current: bool = strawberry.field(
        description="The case is open (not resolved or closed) at this level."
    )


@strawberry.type(description="The chain grid → community → street → district → department.")
class EscalationPath:
    case: Case
    levels: list[LevelStay]
    total_seconds: float = strawberry.field(
        description="Sum of the levels' times: from the report to the resolution, or to now."
    )


@strawberry.type(description="A person of a dispute network, ranked by centrality.")
class RankedPerson:
    person_id: strawberry.ID
    name: str
    degree: int = strawberry.field(description="Persons linked by a shared case or family.")
    degree_centrality: float = strawberry.field(description="Degree / (persons - 1).")
    betweenness: float = strawberry.field(description="Normalised betweenness centrality.")
    cluster: int = strawberry.field(description="The id of their cluster.")


@strawberry.type(description="A community of persons in a dispute network (Louvain).")
class PersonCluster:
    id: int = strawberry.field(description="0 is the largest cluster.")
    size: int
    members: list[strawberry.ID] = strawberry.field(description="Person ids.")


@strawberry.type(description="Centrality and communities of the persons of a dispute network.")
class NetworkAnalysis:
    persons: list[RankedPerson] = strawberry.field(description="Highest betweenness first.")
    clusters: list[PersonCluster] = strawberry.field(description="Largest first.")
    truncated: bool = strawberry.field(description="True when maxNodes cut the network.")


_CENTRES = {kind.value: kind for kind in CentreKind}


def _centre(value: str, argument: str) -> tuple[CentreKind, str]:
    decoded = decode_global_id(value)
    kind = _CENTRES.get(decoded.type_name)
    if kind is None:
        allowed = ", ".join(_CENTRES)
        raise BadUserInput(f"{argument} must be the global ID of a {allowed}", argument=argument)
    return kind, decoded.key


def _path(subgraph: resolve.Subgraph) -> ConnectionPath:
    return ConnectionPath(
        nodes=[GraphNode.build(n) for n in subgraph.nodes],
        edges=[GraphEdge.build(e) for e in subgraph.edges],
        length=len(subgraph.edges),
    )


def _case(row: dict[str, Any]) -> Case:
    return Case.from_row(row)


@strawberry.type
class InvestigationQuery:
    @strawberry.field(description="Persons, cases, grids and handlers around a person or case.")
    async def dispute_network(
        self,
        info: Context,
        center: strawberry.ID,
        hops: int = 2,
        since: date | None = None,
        until: date | None = None,
        categories: list[str] | None = None,
        max_nodes: int = 200,
    ) -> DisputeNetwork:
        kind, key = _centre(center, "center")
        net = await resolve.dispute_network(
            info.context, kind, key, hops, since, until, categories, max_nodes
        )
        return DisputeNetwork(
            nodes=[GraphNode.build(n) for n in net.nodes],
            edges=[GraphEdge.build(e) for e in net.edges],
            truncated=net.truncated,
        )

    @strawberry.field(description="Shortest paths between two persons, cases or grids.")
    async def connections(
        self,
        info: Context,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 4,
        via: list[ConnectionType] | None = None,
    ) -> Connections:
        ends = (_centre(from_, "from"), _centre(to, "to"))
        paths = [
            _path(p) for p in await resolve.connections(info.context, ends, max_hops, via or [])
        ]
        return Connections(shortest=paths[0] if paths else None, all_shortest=paths)

    @strawberry.field(
        description="Cases sharing a party, a party's family member, or grid and category "
        "with this case, reported within windowDays of it."
    )
    async def related_cases_of(
        self, info: Context, case: str, window_days: int = 90
    ) -> list[RelatedCaseOf]:
        rows = await resolve.related_cases_of(info.context, case, window_days)
        return [
            RelatedCaseOf(
                case=_case(row["case"]), reasons=[RelatedReason(r) for r in sorted(row["reasons"])]
            )
            for row in rows
        ]

    @strawberry.field(
        description="Cases whose handler is a party, or family of a party, to the case or a "
        "related case, or a party to a dispute in a neighbouring grid of the same community."
    )
    async def conflicts_of_interest(
        self, info: Context, place: str | None = None, first: int = 50
    ) -> list[ConflictOfInterest]:
        rows = await resolve.conflicts_of_interest(info.context, place, first)
        return [
            ConflictOfInterest(
                person=Person.from_row(row["person"]),
                case=_case(row["case"]),
                via=_case(row["via"]),
                reason=ConflictReason(row["reason"]),
                roles=row["roles"],
            )
            for row in rows
        ]

    @strawberry.field(description="The levels a case went through, with the time at each.")
    async def escalation_path(self, info: Context, case: str) -> EscalationPath:
        row, stays = await resolve.escalation_path(info.context, case)
        levels = [
            LevelStay(
                level=s.level,
                place_code=s.place_code,
                place_name=s.place_name,
                entered_at=s.entered_at,
                left_at=s.left_at,
                seconds=s.seconds,
                current=s.current,
            )
            for s in stays
        ]
        return EscalationPath(
            case=_case(row["case"]), levels=levels, total_seconds=sum(s.seconds for s in levels)
        )

    @strawberry.field(
        description="Degree and betweenness centrality and communities of the persons in "
        "the bounded dispute network around a person or case (linked by shared cases or family)."
    )
    async def network_analysis(
        self, info: Context, center: strawberry.ID, hops: int = 2, max_nodes: int = 300
    ) -> NetworkAnalysis:
        kind, key = _centre(center, "center")
        result = await network_analysis.network_analysis(info.context, kind, key, hops, max_nodes)
        return NetworkAnalysis(
            persons=[
                RankedPerson(
                    person_id=strawberry.ID(p.person_id),
                    name=p.name,
                    degree=p.degree,
                    degree_centrality=p.degree_centrality,
                    betweenness=p.betweenness,
                    cluster=p.cluster,
                )
                for p in result.persons
            ],
            clusters=[
                PersonCluster(id=c.id, size=c.size, members=[strawberry.ID(m) for m in c.members])
                for c in result.clusters
            ],
            truncated=result.truncated,
        )
