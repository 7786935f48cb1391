"""Neo4j DATE and DATETIME values arrive as Python `date` and `datetime`, built in C.

The driver turns each DATETIME it receives into a `neo4j.time.DateTime` in pure Python: it
combines a date and a time from the epoch seconds, then moves the value into its time zone
with pytz (`as_timezone`). `to_native` (graph/client.py) then converts that to a Python
`datetime`. In a case's detail, whose timeline holds dozens of datetimes, the driver's
hydration of datetimes was about a fifth of the server's CPU (py-spy, docs/benchmarks.md).

`install()` replaces the driver's hydration functions for DATE (Bolt tag `D`) and DATETIME
(`I`: offset, `i`: zone name, `d`: local) with ones that build the Python value directly:
the epoch plus a `timedelta`, then `astimezone` with the same pytz zone. The result equals
what `to_native()` of the driver's own value gives (the same fields, microseconds truncated
from nanoseconds, the same tzinfo): tests/graph/test_temporal_hydration.py compares both
over many values. A value Python cannot hold (a year outside 1-9999) is left to the driver's
function, so it fails where it failed before.

The driver looks these functions up when it opens a connection (its hydration handler is
built per connection), so `install()` runs before the driver is created (`open_driver`). It
relies on the driver's private module layout, pinned with the driver in pyproject.toml; the
test fails if an upgrade moves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytz
from neo4j._codec.hydration.bolt.v1 import temporal as temporal_v1
from neo4j._codec.hydration.bolt.v2 import temporal as temporal_v2

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LOCAL_EPOCH = datetime(1970, 1, 1)

# The driver's own functions, as imported (before `install`).
DRIVER_HYDRATE_DATE = cast(Callable[[int], Any], temporal_v1.hydrate_date)
DRIVER_HYDRATE_DATETIME = cast(Callable[..., Any], temporal_v2.hydrate_datetime)


def hydrate_date(days: int) -> Any:
    """A DATE (`days` since 1970-01-01) as a Python date."""
    try:
        return date.fromordinal(_UNIX_EPOCH_ORDINAL + days)
    except (ValueError, OverflowError):
        return DRIVER_HYDRATE_DATE(days)


def hydrate_datetime(seconds: int, nanoseconds: int, tz: int | str | None = None) -> Any:
    """A DATETIME as a Python datetime: `seconds` since the epoch (UTC when the value has a
    zone, local otherwise), `tz` an offset in seconds or a zone name (None: local)."""
    try:
        since = timedelta(seconds=seconds, microseconds=nanoseconds // 1000)
        if tz is None:
            return _LOCAL_EPOCH + since
        # An offset in whole minutes, as the driver takes it; or a named zone.
        zone = pytz.FixedOffset(tz // 60) if isinstance(tz, int) else pytz.timezone(tz)
        return (_UTC_EPOCH + since).astimezone(zone)
    except (ValueError, OverflowError, pytz.UnknownTimeZoneError):
        return DRIVER_HYDRATE_DATETIME(seconds, nanoseconds, tz)


def install() -> None:
    """Use these functions in every connection the driver opens from now on."""
    temporal_v1.hydrate_date = hydrate_date
    temporal_v2.hydrate_datetime = hydrate_datetime
