"""Who is asking: the principal every request carries (see DESIGN.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a principal may do; scoping rules per role arrive with the security issue."""

    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    GRID_WORKER = "grid_worker"
    PARTNER = "partner"
    DEVELOPER = "developer"


@dataclass(frozen=True)
class Principal:
    """The subject of a request, its role and the place codes it is scoped to (empty: all)."""

    subject: str
    role: Role
    scope: frozenset[str] = field(default_factory=frozenset)
    purpose: str | None = None


ANONYMOUS_DEVELOPER = Principal(subject="anonymous-developer", role=Role.DEVELOPER)
