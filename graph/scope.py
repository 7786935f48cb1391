"""Row scope in Cypher: which nodes a scoped principal may see (docs/security.md).

A scope is a list of place codes passed as `$scope`. Codes nest (district 6 digits, street
9, community 12, grid 15, building 18), so a code lies inside the scope when it starts
with one of them. Each label has one predicate saying when a node of it is visible:

- places: inside the scope, or above it (a street investigator still sees the district
  node to navigate, but never a sibling street);
- what belongs to one grid (buildings, volunteer teams, evaluations, visits, volunteer
  activities, household contacts, deliberations): its grid is inside the scope;
- cases and their events: the place the case occurred in (its grid, or the district of a
  12345 case the hotline centre filed without a grid) is inside the scope, or the case's own
  code is (a department officer's scope lists its gridless work orders by code);
- persons: they live, work or support a grid inside the scope now (a period with `until`
  is history: a resident who moved away is the new grid's), are party to, reported or
  handled a case inside it, or serve (member, secretary, instructor) a party organisation or
  mediation committee covering a place inside it;
- organisations covering places (party organisations, mediation committees and their
  studios): a covered place is inside or above the scope;
- departments: district-wide organisations without personal data, visible to every role
  (their members are persons and are scoped as persons).

The predicates are strings built from the constants of this module only; unrestricted
principals get queries without them (see traversal.py), not a predicate that is always true.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import LiteralString


def inside(code: LiteralString) -> LiteralString:
    """Cypher: the place code expression `code` lies inside `$scope`."""
    return "any(prefix IN $scope WHERE " + code + " STARTS WITH prefix)"


def _inside_or_above(code: LiteralString) -> LiteralString:
    return (
        "any(prefix IN $scope WHERE "
        + code
        + " STARTS WITH prefix OR prefix STARTS WITH "
        + code
        + ")"
    )


def _grid_of(var: LiteralString, path: LiteralString) -> LiteralString:
    """Visible when `path` from `var` reaches a grid (`scope_grid`) inside the scope."""
    return (
        "EXISTS { MATCH ("
        + var
        + ")"
        + path
        + "(scope_grid:Grid) WHERE "
        + inside("scope_grid.code")
        + " }"
    )


def _place(var: LiteralString) -> LiteralString:
    return _inside_or_above(var + ".code")


def _case(var: LiteralString) -> LiteralString:
    # Where it occurred: a grid, or the district of a 12345 case filed without one; or the
    # case itself (a department officer's scope holds the codes of such work orders).
    return (
        "(EXISTS { MATCH ("
        + var
        + ")-[:OCCURRED_IN]->(scope_place) WHERE "
        + inside("scope_place.code")
        + " } OR "
        + inside(var + ".code")
        + ")"
    )


def _through_case(var: LiteralString, path: LiteralString) -> LiteralString:
    """Visible when `path` from `var` reaches a visible case (`scope_case`)."""
    return (
        "EXISTS { MATCH ("
        + var
        + ")"
        + path
        + "(scope_case:Case) WHERE "
        + _case("scope_case")
        + " }"
    )


def _case_event(var: LiteralString) -> LiteralString:
    return _through_case(var, "<-[:HAS_EVENT]-")


def _person(var: LiteralString) -> LiteralString:
    return (
        "("
        + _grid_of(var, "-[scope_r:RESIDES_IN|WORKS_GRID|SUPPORTS WHERE scope_r.until IS NULL]->")
        + " OR "
        + _through_case(var, "-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-")
        + " OR EXISTS { MATCH ("
        + var
        + ")-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(scope_place) WHERE "
        + inside("scope_place.code")
        + " })"
    )


def _building(var: LiteralString) -> LiteralString:
    return _grid_of(var, "-[:PART_OF]->")


def _household(var: LiteralString) -> LiteralString:
    return _grid_of(var, "-[:IN_GRID]->")


def _grid_element(var: LiteralString) -> LiteralString:
    return _grid_of(var, "-[:OF_GRID]->")


def _of_person(var: LiteralString, path: LiteralString) -> LiteralString:
    """Visible with the person `path` from `var` reaches (`scope_person`)."""
    return (
        "EXISTS { MATCH ("
        + var
        + ")"
        + path
        + "(scope_person:Person) WHERE "
        + _person("scope_person")
        + " }"
    )


def _label_change(var: LiteralString) -> LiteralString:
    return _of_person(var, "<-[:LABEL_CHANGED]-")


def _measure(var: LiteralString) -> LiteralString:
    return _of_person(var, "-[:FOR_PERSON]->")


def _measure_follow_up(var: LiteralString) -> LiteralString:
    return _of_person(var, "<-[:HAS_FOLLOW_UP]-(:KeyPersonMeasure)-[:FOR_PERSON]->")


def _volunteer_team(var: LiteralString) -> LiteralString:
    return _grid_of(var, "-[:SERVES]->")


def _evaluation(var: LiteralString) -> LiteralString:
    return _grid_of(var, "-[:FOR_GRID]->")


def _grid_activity(var: LiteralString) -> LiteralString:
    """Visits, volunteer activities, central-household contacts, deliberations: IN_GRID."""
    return _grid_of(var, "-[:IN_GRID]->")


def _covering(var: LiteralString) -> LiteralString:
    return (
        "EXISTS { MATCH ("
        + var
        + ")-[:COVERS]->(scope_place) WHERE "
        + _inside_or_above("scope_place.code")
        + " }"
    )


def _studio(var: LiteralString) -> LiteralString:
    return (
        "EXISTS { MATCH ("
        + var
        + ")-[:UNDER]->(:MediationCommittee)-[:COVERS]->(scope_place) WHERE "
        + _inside_or_above("scope_place.code")
        + " }"
    )


def _everyone(var: LiteralString) -> LiteralString:
    return "true"


_BY_LABEL: Mapping[LiteralString, Callable[[LiteralString], LiteralString]] = {
    "District": _place,
    "Street": _place,
    "Community": _place,
    "Grid": _place,
    "Building": _building,
    "Case": _case,
    "CaseEvent": _case_event,
    "Person": _person,
    "Household": _household,  # 户: for one grid (IN_GRID), like a building
    "LabelChange": _label_change,  # a person's 六色 / key-person label history
    "KeyPersonMeasure": _measure,  # 重点人员 measures: visible with their person
    "MeasureFollowUp": _measure_follow_up,
    "GridElement": _grid_element,  # 六大要素: the grid's six elements (OF_GRID)
    "ElementUpdate": _grid_element,
    "VolunteerTeam": _volunteer_team,
    "GridWorkerEvaluation": _evaluation,
    "FengqiaoDecision": _evaluation,  # for one grid (FOR_GRID), like an evaluation
    "Visit": _grid_activity,  # 巡查/入户走访 (graph/visits.py)
    "VolunteerActivity": _grid_activity,  # graph/volunteer_activities.py
    "HouseholdContact": _grid_activity,  # 党员中心户 contacts (graph/party_households.py)
    "Deliberation": _grid_activity,  # 网格议事 (graph/deliberation.py)
    "PartyOrganization": _covering,
    "MediationCommittee": _covering,
    "MediationStudio": _studio,
    "Department": _everyone,
}

SCOPED_LABELS: tuple[str, ...] = tuple(_BY_LABEL)


def _any_label(var: LiteralString) -> LiteralString:
    """For nodes of several labels (handlers, escalation targets, network nodes)."""
    text: LiteralString = "CASE"
    for label, predicate in _BY_LABEL.items():
        text += " WHEN " + var + ":" + label + " THEN " + predicate(var)
    return text + " ELSE false END"


def visible(label: str, var: LiteralString) -> LiteralString:
    """Cypher predicate: the node `var` of `label` is visible within `$scope`.

    A label without its own rule (a multi-label spec such as a handler) gets the predicate
    that dispatches on the node's actual label; unknown labels are never visible.
    """
    predicate = _BY_LABEL.get(label)
    if predicate is None:
        return _any_label(var)
    return predicate(var)


def visible_any(var: LiteralString) -> LiteralString:
    """Cypher predicate for a node whose label is only known at run time."""
    return _any_label(var)
