"""GraphQL type of quarterly grid-worker evaluations (履职评估); the bottom 5% are flagged."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import evaluations
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds
from schema.persons import Person
from schema.places import Grid
from schema.relay import Node, global_id

Context = Info[RequestContext, None]


@builds(evaluations.EVALUATION)
@strawberry.type(description="One quarter's evaluation of a grid worker in a grid.")
class GridWorkerEvaluation(Node):
    evaluation_id: str = strawberry.field(description="Quarter + '-' + grid code.")
    quarter: str = strawberry.field(description="e.g. 2024Q3.")
    score: float = strawberry.field(description="0-100.")
    rank: int = strawberry.field(description="1 = best in the district that quarter.")
    bottom5: bool = strawberry.field(description="In the bottom 5% of the quarter.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GridWorkerEvaluation:
        return cls(
            id=global_id("GridWorkerEvaluation", row["id"]),
            evaluation_id=row["id"],
            quarter=row["quarter"],
            score=row["score"],
            rank=row["rank"],
            bottom5=row["bottom5"],
        )

    @strawberry.field(description="The grid worker evaluated.")
    @relation(evaluations.EVALUATION_WORKER, Shape.ONE)
    async def worker(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.evaluation_id))

    @strawberry.field(description="The grid the evaluation is for.")
    @relation(evaluations.EVALUATION_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.evaluation_id))
