"""List filters and orders as hop parameters: what `@relation(params=..., order=...)` and the
root list fields call with a field's converted arguments (resolvers/relations.py).

A filter argument is the Strawberry input object the resolver receives (PersonFilter,
CaseFilter: schema/persons.py, schema/cases.py); each knows its own parameters (`params()`,
where its codes are checked). No filter given means the filter with nothing set.
"""

from __future__ import annotations

from typing import Any, Protocol

from graph.cases import CaseOrder


class ListFilter(Protocol):
    """A filter input object: its hop parameters, codes checked."""

    def params(self) -> dict[str, Any]: ...


# The parameters of an empty filter (every condition off), per hop filter of graph/.
_NO_PERSON_FILTER = {"role": None, "colourLabel": None, "tag": None, "name": None}
_NO_CASE_FILTER = {
    "kind": None,
    "category": None,
    "status": None,
    "open": None,
    "severity": None,
    "channel": None,
    "resolvedAtLevel": None,
    "reportedFrom": None,
    "reportedBefore": None,
    "currentLevel": None,
    "assignee": None,
    "overdue": None,
    "overdueAt": None,
    "dueBefore": None,
}


def persons_filter_params(filter: ListFilter | None = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.persons.PERSON_FILTERS."""
    return dict(_NO_PERSON_FILTER) if filter is None else filter.params()


def case_filter_params(filter: ListFilter | None = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.cases.CASE_FILTERS."""
    return dict(_NO_CASE_FILTER) if filter is None else filter.params()


def case_order(order_by: Any = None, **_: Any) -> str:
    """The ORDER BY of a case list: the `orderBy` argument's, newest first by default."""
    if order_by is None:
        return CaseOrder.REPORTED_AT_DESC.value
    return CaseOrder[order_by.value].value


def party_role_params(role: Any = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.cases.PERSON_CASES: the person's role in the case, if given."""
    return {"role": role.value if role else None}


def mediator_kind_params(kind: Any = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.mediation.COMMITTEE_MEMBERS: the mediators' kind, if given."""
    return {"kind": kind.value if kind else None}


def quarter_params(quarter: str | None = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.evaluations.QUARTER_FILTERS: one quarter, if given."""
    return {"quarter": quarter}


def work_order_params(status: Any = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.departments.WORK_ORDERS: the case status, if given."""
    return {"status": status.value if status else None}


def year_params(year: str | None = None, **_: Any) -> dict[str, Any]:
    """Parameters of graph.fengqiao.GRID_DECISIONS: one year, if given."""
    return {"year": year}
