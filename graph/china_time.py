"""China Standard Time (UTC+08:00): the zone every case time and date window is in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day`, China time (for half-open date windows)."""
    return datetime.combine(day, time(), tzinfo=CHINA_TIME)
