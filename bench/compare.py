"""Correctness first: every operation's normalised answer must be the same on all targets,
GridGraph as every principal included."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from bench.clients import Outcome, run_operation
from bench.endpoints import Endpoint
from bench.operations import Operation


@dataclass(frozen=True)
class Agreement:
    """One operation's check: agreed, or the first disagreement as a unified diff."""

    operation: str
    agreed: bool
    diff: str
    round_trips: dict[str, int | None]
    requests: int


def _dump(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).splitlines()


def diff(reference: str, left: Any, other: str, right: Any) -> str:
    """A unified diff of two normalised answers ('' when equal)."""
    if left == right:
        return ""
    lines = difflib.unified_diff(_dump(left), _dump(right), reference, other, lineterm="", n=2)
    return "\n".join(list(lines)[:80])


async def check_operation(
    targets: dict[str, Endpoint], operation: Operation, params: dict[str, Any]
) -> Agreement:
    """Run the operation once per target and compare everything with the first's answer."""
    outcomes: dict[str, Outcome | str] = {}
    for name, target in targets.items():
        async with target.client() as client:
            try:
                outcomes[name] = await run_operation(client, target.kind, operation, params)
            except Exception as error:  # a failing target is a disagreement, not a crash
                outcomes[name] = f"{type(error).__name__}: {error}"
    reference_name = next(iter(targets))
    reference = outcomes[reference_name]
    diffs = []
    for name, outcome in outcomes.items():
        left = reference.result if isinstance(reference, Outcome) else reference
        right = outcome.result if isinstance(outcome, Outcome) else outcome
        if name != reference_name and (text := diff(reference_name, left, name, right)):
            diffs.append(text)
    failed = [f"{n}: {o}" for n, o in outcomes.items() if isinstance(o, str)]
    trips = {n: o.round_trips if isinstance(o, Outcome) else None for n, o in outcomes.items()}
    requests = reference.requests if isinstance(reference, Outcome) else 0
    agreed = not diffs and not failed
    return Agreement(operation.name, agreed, "\n".join(failed + diffs), trips, requests)
