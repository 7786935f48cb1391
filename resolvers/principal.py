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
    DEVELOPER = "developer"  # the anonymous principal of development mode only


# Roles that get ID-card numbers and phones decrypted; every other role gets the masked form.
ROLES_SEEING_CLEAR_PERSONAL_DATA = frozenset({Role.ADMIN, Role.INVESTIGATOR, Role.GRID_WORKER})

# Roles whose rows are limited to their scope (the others read everything).
SCOPED_ROLES = frozenset({Role.INVESTIGATOR, Role.GRID_WORKER, Role.PARTNER})


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
        """True when the principal may file and work cases in this grid (mutations)."""
        if self.role in (Role.ADMIN, Role.DEVELOPER):
            return True
        return self.role is Role.GRID_WORKER and self.covers(grid_code)


ANONYMOUS_DEVELOPER = Principal(subject="anonymous-developer", role=Role.DEVELOPER)
