"""The street's quarterly grid-worker evaluation and replacement over GraphQL: who may, the
argument checks, and the graph's refusals as client errors (graph/evaluation_commands.py).

Street officers evaluate and replace the workers of the grids of their streets; admins and
developers anywhere; every other role is FORBIDDEN. A grid or successor out of scope is
NOT_FOUND, exactly as an unknown one; idempotency keys work as for the case workflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graph import evaluation_commands
from graph.evaluation_commands import EvaluationRecord, Replacement, WorkerWarning
from graph.policy import load_policy
from resolvers.case_mutations import claim_for, client_errors, now, text
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden
from resolvers.principal import Principal, Role

EVALUATING_ROLES = frozenset({Role.ADMIN, Role.DEVELOPER, Role.STREET_OFFICER})
QUARTER = re.compile(r"20\d{2}Q[1-4]")


def _authorize(principal: Principal) -> None:
    if principal.role not in EVALUATING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not evaluate grid workers")


def _checked(grid: str, quarter: str) -> None:
    if not re.fullmatch(r"\d{15}", grid):
        raise BadUserInput(f"{grid[:40]!r} is not a grid code", argument="grid")
    if not QUARTER.fullmatch(quarter):
        raise BadUserInput("quarter must look like 2024Q3", argument="quarter")


def checked_scores(scores: Mapping[str, float]) -> dict[str, float]:
    """Every item of policy.toml's [evaluation] scored once, 0 to 100."""
    codes = [item.code for item in load_policy().evaluation.items]
    if sorted(scores) != sorted(codes):
        message = f"score exactly the items {', '.join(codes)}"
        raise BadUserInput(message, argument="scores", items=codes)
    if not all(0 <= value <= 100 for value in scores.values()):
        raise BadUserInput("each score is 0 to 100", argument="scores")
    return dict(scores)


async def evaluate(
    context: RequestContext,
    grid: str,
    quarter: str,
    scores: Mapping[str, float],
    idempotency_key: str | None,
) -> EvaluationRecord:
    """Record a quarter's evaluation of a grid's worker (one write transaction)."""
    principal = context.principal
    _authorize(principal)
    _checked(grid, quarter)
    checked = checked_scores(scores)
    arguments = {"grid": grid, "quarter": quarter, "scores": checked}
    claim = claim_for(principal, "evaluate_grid_worker", idempotency_key, arguments)
    rules = load_policy().evaluation
    with client_errors():
        return await evaluation_commands.record_evaluation(
            context.graph,
            grid,
            quarter,
            checked,
            rules,
            principal.subject,
            now(),
            claim,
            principal.scope_codes,
        )


async def replace(
    context: RequestContext,
    grid: str,
    quarter: str,
    successor: str,
    reason: str,
    idempotency_key: str | None,
) -> Replacement:
    """Replace a grid's worker flagged at the bottom of a quarter (one write transaction)."""
    principal = context.principal
    _authorize(principal)
    _checked(grid, quarter)
    why = text(reason, "reason", required=True) or ""
    arguments = {"grid": grid, "quarter": quarter, "successor": successor, "reason": why}
    claim = claim_for(principal, "replace_grid_worker", idempotency_key, arguments)
    with client_errors():
        return await evaluation_commands.replace_worker(
            context.graph, grid, quarter, successor, why, now(), claim, principal.scope_codes
        )


async def warn(
    context: RequestContext,
    grid: str,
    quarter: str,
    reason: str,
    idempotency_key: str | None,
) -> WorkerWarning:
    """Record a warning to a grid's worker flagged at the bottom of a quarter (末位 → 诫勉)."""
    principal = context.principal
    _authorize(principal)
    _checked(grid, quarter)
    why = text(reason, "reason", required=True) or ""
    arguments = {"grid": grid, "quarter": quarter, "reason": why}
    claim = claim_for(principal, "warn_grid_worker", idempotency_key, arguments)
    with client_errors():
        return await evaluation_commands.warn_worker(
            context.graph,
            grid,
            quarter,
            why,
            principal.subject,
            now(),
            claim,
            principal.scope_codes,
        )
