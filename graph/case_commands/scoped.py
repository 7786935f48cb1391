"""What a command may name, checked in its transaction: nodes the caller may see, new parties
who are not someone out of scope, and mediators and committees serving the case's place.

`scope` is the caller's place codes (None: unrestricted). Out of scope is refused exactly
like unknown (TargetNotFound, CaseNotFound); the read path's predicates (graph/scope.py) say
what "may see" means, so linking never widens what the caller can read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph.case_commands import cypher
from graph.case_commands.cypher import Target
from graph.case_commands.model import (
    CaseNotFound,
    CommandRefused,
    NewPerson,
    PersonOutOfScope,
    TargetNotFound,
)
from graph.cases import CaseLevel
from graph.client import TransactionWriter
from graph.traversal import Scope, scope_params


async def require(
    tx: TransactionWriter, target: Target, keys: Sequence[str], argument: str, scope: Scope
) -> None:
    """TargetNotFound unless every key names an existing node the caller may see."""
    query = cypher.existing(target, scope is not None)
    rows = await tx.write(query, {"keys": list(keys), **scope_params(scope)})
    missing = sorted(set(keys) - {row["key"] for row in rows})
    if missing:
        raise TargetNotFound(target, missing, argument)


async def require_serving(
    tx: TransactionWriter,
    target: Target,
    key: str,
    argument: str,
    places: Mapping[CaseLevel, str],
    scope: Scope,
) -> None:
    """Like `require` for a mediator or committee, which must also serve the case's place (a
    committee covering its grid or a place above it), whoever the caller is."""
    params = {"keys": [key], "places": list(places.values()), **scope_params(scope)}
    rows = await tx.write(cypher.serving(target, scope is not None), params)
    if not rows:
        raise TargetNotFound(target, [key], argument)
    if not rows[0]["serves"]:
        grid = places.get(CaseLevel.GRID) or places[CaseLevel.DISTRICT]  # gridless: district
        message = f"{target.value} {key} serves no committee covering {grid} or above it"
        if target is Target.COMMITTEE:
            message = f"{target.value} {key} covers neither {grid} nor a place above it"
        raise CommandRefused(message, argument)


async def require_case(tx: TransactionWriter, code: str, scope: Scope) -> None:
    """CaseNotFound unless the case (of a stored result) is in the caller's scope now."""
    if scope is not None:
        params = {"code": code, **scope_params(scope)}
        if not await tx.write(cypher.case_visible(True), params):
            raise CaseNotFound(code)


async def create_persons(tx: TransactionWriter, persons: Sequence[NewPerson], scope: Scope) -> None:
    """Create new parties; PersonOutOfScope when an ID card is a person out of scope."""
    if persons:
        params = {"rows": [person.row() for person in persons], **scope_params(scope)}
        found = await tx.write(cypher.create_persons(scope is not None), params)
        refused = sorted(row["id"] for row in found if not row["allowed"])
        if refused:
            raise PersonOutOfScope(refused)
