"""Who may write grid activity (visits, volunteer activities, central-household contacts,
deliberations) and the graph's refusals as client errors with stable codes.

Grid workers write in their own grids, community and street officers in their places,
admins and developers anywhere; every other role (partners, investigators, the hotline
centre, departments) is FORBIDDEN. A grid outside the caller's scope is NOT_FOUND, exactly as
an unknown one (and the transaction checks it again with the read path's row scope).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from graph.activity_checks import ActivityRefused, NodeNotFound, RecordChanged
from resolvers.case_mutations import china_time, client_errors, now
from resolvers.errors import BadUserInput, Conflict, Forbidden, NotFound
from resolvers.principal import Principal, Role

WRITING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.DEVELOPER,
        Role.GRID_WORKER,
        Role.COMMUNITY_OFFICER,
        Role.STREET_OFFICER,
    }
)
GRID_CODE = re.compile(r"\d{15}")
MAX_LIST = 50  # persons named in one activity (visited, participants, contacts)
MAX_PAST_DAYS = 366  # how far back an activity may be dated


def authorize(principal: Principal, what: str) -> None:
    """FORBIDDEN unless the role may write grid activity at all (checked first)."""
    if principal.role not in WRITING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not record {what}")


def checked_grid(principal: Principal, grid: str, argument: str = "grid") -> str:
    """A 15-digit grid code inside the caller's scope (NOT_FOUND as unknown otherwise)."""
    if not GRID_CODE.fullmatch(grid):
        raise BadUserInput(f"{grid[:40]!r} is not a grid code", argument=argument)
    if not principal.covers(grid):
        raise NotFound(f"no grid {grid}", argument=argument, keys=[grid])
    return grid


def checked_moment(value: datetime | None, argument: str = "at") -> datetime:
    """When it happened: not in the future, not over a year ago; default now (China time)."""
    current = now()
    moment = china_time(value) or current
    if moment > current:
        raise BadUserInput(f"{argument} must not be in the future", argument=argument)
    if (current - moment).days > MAX_PAST_DAYS:
        raise BadUserInput(f"{argument} is more than a year ago", argument=argument)
    return moment


def checked_ids(ids: list[str], argument: str, required: bool = False) -> tuple[str, ...]:
    """Person ids, each once, at most MAX_LIST (BAD_USER_INPUT otherwise)."""
    once = tuple(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if required and not once:
        raise BadUserInput(f"{argument} must name at least one person", argument=argument)
    if len(once) > MAX_LIST:
        raise BadUserInput(f"{argument}: at most {MAX_LIST} persons", argument=argument)
    return once


def acting_person(principal: Principal, given: str | None, argument: str) -> str:
    """The person who acted: the principal's own person (grid workers may name no other), or
    the one given by a principal that is no person."""
    if principal.person_id is not None and principal.role is Role.GRID_WORKER:
        if given not in (None, principal.person_id):
            message = f"a grid worker records as themselves; leave {argument} out"
            raise BadUserInput(message, argument=argument)
        return principal.person_id
    chosen = given or principal.person_id
    if not chosen:
        message = f"{argument} (a person id) is required when the principal is no person"
        raise BadUserInput(message, argument=argument)
    return chosen


def checked_version(expected: int | None) -> int | None:
    """expectedVersion: None or not negative."""
    if expected is not None and expected < 0:
        raise BadUserInput("expectedVersion must not be negative", argument="expectedVersion")
    return expected


@contextmanager
def activity_errors() -> Iterator[None]:
    """The graph's refusals as client errors (and the case workflow's, for a hazard filed)."""
    try:
        with client_errors():
            yield
    except NodeNotFound as missing:
        raise NotFound(str(missing), argument=missing.argument, keys=missing.keys) from None
    except RecordChanged as changed:
        raise Conflict(
            str(changed),
            key=changed.key,
            expectedVersion=changed.expected,
            currentVersion=changed.current,
        ) from None
    except ActivityRefused as refused:
        raise BadUserInput(str(refused), argument=refused.argument) from None


def checked_text(
    value: str | None, argument: str, limit: int, required: bool = False
) -> str | None:
    """Trimmed text of at most `limit` characters (BAD_USER_INPUT otherwise); blank is None."""
    value = (value or "").strip() or None
    if value is None and required:
        raise BadUserInput(f"{argument} must not be blank", argument=argument)
    if value is not None and len(value) > limit:
        raise BadUserInput(f"{argument} is longer than {limit} characters", argument=argument)
    return value
