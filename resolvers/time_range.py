"""Range checks of date and time arguments, at the edge of every resolver that takes one.

GraphQL's `Date` and `DateTime` scalars accept any year from 1 to 9999, but a day at the
ends of that range cannot be turned into a China-time midnight, moved to UTC or handed to
Neo4j (`0001-01-01` at +08:00 is in year 0 in UTC). Every date or time argument therefore
goes through one of these checks first: anything outside [EARLIEST, LATEST] is
BAD_USER_INPUT naming the argument, never an internal error. Times without an offset are
China time, like every case time; an offset must lie within ±18:00 (Python accepts up to
±23:59, Neo4j refuses beyond ±18:00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from graph.china_time import CHINA_TIME, start_of_day
from resolvers.errors import BadUserInput

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
MAX_OFFSET = timedelta(hours=18)  # the widest UTC offset Neo4j accepts (either way)


def _out_of_range(value: object, argument: str) -> BadUserInput:
    return BadUserInput(
        f"{argument} must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}, got {value}",
        argument=argument,
        min=EARLIEST.isoformat(),
        max=LATEST.isoformat(),
    )


def checked_date(value: date | None, argument: str) -> date | None:
    """The day itself (None stays None), or BAD_USER_INPUT outside EARLIEST..LATEST."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range(value.isoformat(), argument)
    return value


def checked_day_start(value: date | None, argument: str) -> datetime | None:
    """China-time midnight at the start of a checked day (for half-open day windows)."""
    day = checked_date(value, argument)
    return None if day is None else start_of_day(day)


def checked_moment(value: datetime | None, argument: str) -> datetime | None:
    """A checked moment with its offset (none given: China time), or BAD_USER_INPUT."""
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise BadUserInput(
            f"{argument} has a UTC offset beyond ±18:00",
            argument=argument,
            minOffset="-18:00",
            maxOffset="+18:00",
        )
    checked_date(value.date(), argument)
    return value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TIME)
