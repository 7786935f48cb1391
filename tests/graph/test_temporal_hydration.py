"""Dates and datetimes hydrated in C (graph/temporal_hydration.py) equal what the driver's own
hydration gives after `to_native()`: same fields, same offset, same tzinfo, same ISO text."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from neo4j._codec.hydration.bolt.v1 import temporal as temporal_v1
from neo4j._codec.hydration.bolt.v2 import temporal as temporal_v2

from graph import temporal_hydration as fast
from graph.client import GraphClient, to_native

ZONES: list[int | str | None] = [
    None,
    0,
    8 * 3600,
    -5 * 3600 - 30 * 60,
    5 * 3600 + 45 * 60 + 17,  # seconds beyond the minute: the driver drops them
    "Asia/Shanghai",
    "Europe/Berlin",  # summer and winter time
    "America/St_Johns",
    "UTC",
]


def _same(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs)
    assert ours == theirs
    assert ours.isoformat() == theirs.isoformat()
    if isinstance(ours, datetime):
        assert ours.utcoffset() == theirs.utcoffset()
        assert type(ours.tzinfo) is type(theirs.tzinfo)
        assert str(ours.tzinfo) == str(theirs.tzinfo)


def test_datetimes_equal_the_drivers_after_to_native() -> None:
    draw = random.Random(13)
    seconds = [0, -1, 59, 86_399, 86_400, 1_700_000_000, -2_208_988_800, 253_402_000_000]
    seconds += [draw.randint(-5_000_000_000, 5_000_000_000) for _ in range(400)]
    nanos = [0, 1, 999, 1_000, 999_999_999, 123_456_789]
    checked = 0
    for second in seconds:
        for zone in ZONES:
            nano = draw.choice(nanos)
            theirs = fast.DRIVER_HYDRATE_DATETIME(second, nano, zone).to_native()
            _same(fast.hydrate_datetime(second, nano, zone), theirs)
            checked += 1
    assert checked == len(seconds) * len(ZONES)


def test_dates_equal_the_drivers_after_to_native() -> None:
    for days in [0, -1, 1, -719_162, 2_932_896, 19_000, *range(-40_000, 40_000, 997)]:
        _same(fast.hydrate_date(days), fast.DRIVER_HYDRATE_DATE(days).to_native())


def _outcome(hydrate: Any, *fields: Any) -> Any:
    try:
        return type(hydrate(*fields))
    except Exception as error:  # what the driver then turns into a broken value
        return type(error), str(error)


def test_a_value_python_cannot_hold_is_left_to_the_driver() -> None:
    # past the year 9999: the driver's own function decides, as before
    past = _outcome(fast.hydrate_date, 3_000_000)
    assert past == _outcome(fast.DRIVER_HYDRATE_DATE, 3_000_000)
    assert past != date
    for zone in (None, 0, "Asia/Shanghai"):
        far = _outcome(fast.hydrate_datetime, 400_000_000_000, 0, zone)
        assert far == _outcome(fast.DRIVER_HYDRATE_DATETIME, 400_000_000_000, 0, zone)
        assert far != datetime


async def test_values_read_from_neo4j_arrive_as_python_dates_and_datetimes(
    graph: GraphClient,
) -> None:
    # the client's driver hydrates with these functions
    assert temporal_v1.hydrate_date is fast.hydrate_date
    assert temporal_v2.hydrate_datetime is fast.hydrate_datetime
    [row] = await graph.read(
        "RETURN date('2024-02-29') AS day, "
        "datetime('2024-03-31T01:30:00.123456789+08:00') AS offset, "
        "datetime('2024-03-31T03:30:00.5[Europe/Berlin]') AS zoned, "
        "localdatetime('2024-03-31T02:15:00') AS local"
    )
    assert type(row["day"]) is date and row["day"] == date(2024, 2, 29)
    assert row["offset"].isoformat() == "2024-03-31T01:30:00.123456+08:00"
    assert row["zoned"].isoformat() == "2024-03-31T03:30:00.500000+02:00"
    assert row["local"] == datetime(2024, 3, 31, 2, 15)
    assert to_native(row) == row  # nothing left to convert
