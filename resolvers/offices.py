"""Which office may take which workflow action on a case (docs/workflow.md, docs/security.md).

The closed loop has one office per level (区—镇街—村居—网格 plus the departments): the grid
worker (网格员) at the grid, the community officer (村(社区)) and the street officer
(镇(街道)) at their place, the hotline operator at the district hotline centre (任诚办 / 12345),
and the department officer at their department's work orders (部门报到). An office acts on
what it *holds* (`Case.currentLevel` and `Case.assignee`): it accepts, handles, escalates or
resolves only a case held by its own place or department. A few actions are not tied to the
holder: the grid worker visits back (回访), closes and reopens the cases of its grids, and the
hotline centre urges (催办), follows up and closes every case of its district. A professional
grid member called in by a whistle (吹哨) reports (报到, 到场, 记录) as its department's officer
with its own person id, on any case it was called to.

Admin and developer act anywhere; other roles (investigator, partner) never. This module is
plain Python over the case's locked state: graph/case_commands runs it inside the command's
transaction, so a refusal rolls everything back.
"""

from __future__ import annotations

from collections.abc import Mapping

from graph.case_commands import CaseState
from graph.case_workflow import WHISTLE_STEPS, CaseAction, holder_of
from graph.cases import CaseLevel
from resolvers.principal import Principal, Role

A = CaseAction
L = CaseLevel

# Roles that may change cases at all (FORBIDDEN for the others, before anything is read).
ACTING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.DEVELOPER,
        Role.GRID_WORKER,
        Role.COMMUNITY_OFFICER,
        Role.STREET_OFFICER,
        Role.HOTLINE_OPERATOR,
        Role.DEPARTMENT_OFFICER,
    }
)

# The level each office holds cases at.
HOLDS: Mapping[Role, CaseLevel] = {
    Role.GRID_WORKER: L.GRID,
    Role.COMMUNITY_OFFICER: L.COMMUNITY,
    Role.STREET_OFFICER: L.STREET,
    Role.HOTLINE_OPERATOR: L.DISTRICT,
    Role.DEPARTMENT_OFFICER: L.DEPARTMENT,
}

_PLACE_WORK = frozenset(
    {A.ACCEPT, A.START_MEDIATION, A.RECORD_OUTCOME, A.ESCALATE, A.RESOLVE, A.URGE, A.LINK}
)

# What each office may do to a case it holds.
WHEN_HOLDING: Mapping[Role, frozenset[CaseAction]] = {
    Role.GRID_WORKER: _PLACE_WORK | {A.GRID_CALL, A.WHISTLE},
    Role.COMMUNITY_OFFICER: _PLACE_WORK,
    Role.STREET_OFFICER: _PLACE_WORK,
    Role.HOTLINE_OPERATOR: frozenset({A.ACCEPT, A.DISPATCH, A.RESOLVE, A.URGE, A.LINK}),
    Role.DEPARTMENT_OFFICER: frozenset({A.SIGN, A.RETURN, A.REQUEST_EXTENSION, A.RESOLVE}),
}

# What an office may do to any case in its scope, whoever holds it.
ANYWHERE_IN_SCOPE: Mapping[Role, frozenset[CaseAction]] = {
    Role.GRID_WORKER: frozenset({A.FOLLOW_UP, A.CLOSE, A.REOPEN, A.URGE, A.LINK}),
    Role.HOTLINE_OPERATOR: frozenset({A.FOLLOW_UP, A.CLOSE, A.REOPEN, A.URGE, A.LINK}),
}

# Who may file a new case: grid workers in their grids, the hotline centre in its district.
REPORTING_ROLES = frozenset({Role.ADMIN, Role.DEVELOPER, Role.GRID_WORKER, Role.HOTLINE_OPERATOR})


class NotHolder(PermissionError):
    """The case is in the caller's scope but held elsewhere, or the action is not its office's."""

    def __init__(self, state: CaseState, action: CaseAction, role: Role) -> None:
        level = state.position.level
        holder = holder_of(level, state.place_code, state.department)
        super().__init__(
            f"case {state.code} is held by the {level.value} level ({holder}); a"
            f" {role.value} may not {action.value} it"
        )
        self.code = state.code
        self.level = level
        self.holder = holder


def holds(principal: Principal, state: CaseState) -> bool:
    """True when the case is held by the principal's own place or department."""
    level = HOLDS.get(principal.role)
    if level is None or state.position.level is not level:
        return False
    if principal.role is Role.DEPARTMENT_OFFICER:
        return state.department is not None and state.department == principal.department
    return principal.covers(holder_of(level, state.place_code, state.department))


def may_take(principal: Principal, action: CaseAction, state: CaseState) -> bool:
    """True when the principal's office may take `action` on this (locked) case."""
    if principal.role in (Role.ADMIN, Role.DEVELOPER):
        return True
    if action in WHISTLE_STEPS:  # 报到: only the called member, as its department's officer
        called = principal.person_id is not None and principal.person_id in state.whistled
        return principal.role is Role.DEPARTMENT_OFFICER and called
    if action in ANYWHERE_IN_SCOPE.get(principal.role, frozenset()) and principal.covers(
        state.place_code
    ):
        return True
    return action in WHEN_HOLDING.get(principal.role, frozenset()) and holds(principal, state)


def holder_keys(principal: Principal) -> list[str] | None:
    """The `Case.assignee` values whose cases wait for this principal (myInbox): its places
    at the level it holds, or its department; None for roles that hold no cases."""
    if principal.role is Role.DEPARTMENT_OFFICER:
        return [principal.department] if principal.department else []
    level = HOLDS.get(principal.role)
    if level is None or principal.scope is None:
        return None
    return sorted(principal.scope)
