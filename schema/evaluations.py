"""GraphQL type of quarterly grid-worker evaluations (履职评估); the bottom 5% are flagged."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import evaluations
from resolvers.context import RequestContext
from schema.persons import Person
from schema.places import Grid
from schema.relay import Node, global_id

Context = Info[RequestContext, None]


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
    async def worker(self, info: Context) -> Person | None:
        found = await info.context.loaders.neighbours(
            evaluations.EVALUATION_WORKER, self.evaluation_id
        )
        return Person.from_row(found[0].node) if found else None

    @strawberry.field(description="The grid the evaluation is for.")
    async def grid(self, info: Context) -> Grid | None:
        found = await info.context.loaders.neighbours(
            evaluations.EVALUATION_GRID, self.evaluation_id
        )
        return Grid.from_row(found[0].node) if found else None


async def evaluations_of_worker(
    info: Context, person_id: str, quarter: str | None
) -> list[GridWorkerEvaluation]:
    """A grid worker's evaluations, newest quarter first (one quarter if given)."""
    found = await info.context.loaders.neighbours(
        evaluations.PERSON_EVALUATIONS, person_id, {"quarter": quarter}
    )
    return [GridWorkerEvaluation.from_row(n.node) for n in found]


async def evaluations_of_grid(
    info: Context, grid_code: str, quarter: str | None
) -> list[GridWorkerEvaluation]:
    """A grid's evaluations, newest quarter first (one quarter if given)."""
    found = await info.context.loaders.neighbours(
        evaluations.GRID_EVALUATIONS, grid_code, {"quarter": quarter}
    )
    return [GridWorkerEvaluation.from_row(n.node) for n in found]
