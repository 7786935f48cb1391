"""The real frame of Rencheng district, Jining (任城区, 370811), from DESIGN.md §2."""

from __future__ import annotations

from typing import Any

DISTRICT_CODE = "370811"
DISTRICT_NAME = "任城区"

# 13 streets (街道) and 2 towns (镇). Street codes follow the national pattern (district code +
# 3 digits, 0xx for streets, 1xx for towns); the digits themselves are illustrative.
STREETS: tuple[tuple[str, str], ...] = (
    ("李营街道", "街道"),
    ("南张街道", "街道"),
    ("仙营街道", "街道"),
    ("金城街道", "街道"),
    ("廿里铺街道", "街道"),
    ("古槐街道", "街道"),
    ("济阳街道", "街道"),
    ("阜桥街道", "街道"),
    ("越河街道", "街道"),
    ("观音阁街道", "街道"),
    ("南苑街道", "街道"),
    ("安居街道", "街道"),
    ("唐口街道", "街道"),
    ("长沟镇", "镇"),
    ("喻屯镇", "镇"),
)


def street_rows() -> list[dict[str, Any]]:
    """The 15 streets and towns as place rows under the district."""
    rows = []
    street_number = town_number = 0
    for name, kind in STREETS:
        if kind == "街道":
            street_number += 1
            suffix = f"{street_number:03d}"
        else:
            town_number += 1
            suffix = f"{99 + town_number:03d}"
        rows.append(
            {
                "code": DISTRICT_CODE + suffix,
                "name": name,
                "kind": kind,
                "parentCode": DISTRICT_CODE,
            }
        )
    return rows
