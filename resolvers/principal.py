"""Who is asking: the principal every request carries (see DESIGN.md §5, docs/security.md).

A principal comes from a bearer JWT or a partner's API key (server/auth.py), or, only when
development mode is explicitly on, is the anonymous developer. Its `scope` is a set of place
codes; because codes nest (district 6 digits, street 9, community 12, grid 15), "inside the
scope" means "the code starts with one of them". `scope is None` means unrestricted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a principal may do (docs/security.md has the table of roles x data)."""

    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    GRID_WORKER = "grid_worker"
    PARTNER = "partner"
    # The offices of the closed loop (docs/workflow.md), each scoped to what it holds:
    COMMUNITY_OFFICER = "community_officer"  # 村(社区): their communities
    STREET_OFFICER = "street_officer"  # 镇(街道): their streets
    HOTLINE_OPERATOR = "hotline_operator"  # 任诚办 / 区政务热线服务中心 (12345): the district
    DEPARTMENT_OFFICER = "department_officer"  # one department: its work orders, its grids
    DEVELOPER = "developer"  # the anonymous principal of development mode only


# Roles that get ID-card numbers and phones decrypted; every other role gets the masked form.
# The offices that call parties back (community, street, hotline) get them in clear; a
# department works from the work order and gets the masked forms.
ROLES_SEEING_CLEAR_PERSONAL_DATA = frozenset(
    {
        Role.ADMIN,
        Role.INVESTIGATOR,
        Role.GRID_WORKER,
        Role.COMMUNITY_OFFICER,
        Role.STREET_OFFICER,
        Role.HOTLINE_OPERATOR,
    }
)

# Roles whose rows are limited to their scope (the others read everything).
SCOPED_ROLES = frozenset(
    {
        Role.INVESTIGATOR,
        Role.GRID_WORKER,
        Role.PARTNER,
        Role.COMMUNITY_OFFICER,
        Role.STREET_OFFICER,
        Role.HOTLINE_OPERATOR,
        Role.DEPARTMENT_OFFICER,
    }
)

# The length of the place codes each office's token scope holds (server/auth.py checks it):
# district 6 digits, street 9, community 12. A department officer's scope is looked up.
SCOPE_CODE_LENGTH = {
    Role.COMMUNITY_OFFICER: 12,
    Role.STREET_OFFICER: 9,
    Role.HOTLINE_OPERATOR: 6,
}


class Credential(StrEnum):
    """How the principal proved who it is."""

    JWT = "jwt"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """The subject of a request, its role, its scope and, for partners, agreement and purpose."""

    subject: str
    role: Role
    scope: frozenset[str] | None = None  # place codes; None: unrestricted
    purpose: str | None = None  # why the request is made (required of partners)
    person_id: str | None = None  # the Person the subject is (grid workers: the reporter)
    agreement: str | None = None  # a partner's data-sharing agreement (server/agreements.py)
    credential: Credential = Credential.ANONYMOUS
    department: str | None = None  # a department officer's department code

    @property
    def scoped(self) -> bool:
        """True when rows outside `scope` must not be returned or counted."""
        return self.scope is not None

    @property
    def scope_codes(self) -> list[str] | None:
        """The scope as the `$scope` Cypher parameter (sorted), or None when unrestricted."""
        return None if self.scope is None else sorted(self.scope)

    def covers(self, code: str) -> bool:
        """True when the place `code` (or anything under it) lies inside the scope."""
        return self.scope is None or any(code.startswith(prefix) for prefix in self.scope)

    @property
    def sees_clear_personal_data(self) -> bool:
        """True when ID-card numbers and phones may be decrypted for this principal."""
        return self.role in ROLES_SEEING_CLEAR_PERSONAL_DATA

    def may_act_in(self, grid_code: str) -> bool:
        """True when the principal may file cases in this grid (reportCase): grid workers in
        their grids, the hotline centre in its district (resolvers/offices.py says who may
        take which action on an existing case)."""
        if self.role in (Role.ADMIN, Role.DEVELOPER):
            return True
        filing = self.role in (Role.GRID_WORKER, Role.HOTLINE_OPERATOR)
        return filing and self.covers(grid_code)


ANONYMOUS_DEVELOPER = Principal(subject="anonymous-developer", role=Role.DEVELOPER)
