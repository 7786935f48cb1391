"""Every operation the bench knows: the mix (bench/operations.py) and the single lookups
outside it (bench/lookups.py), and how `--operations` picks among them."""

from __future__ import annotations

from bench.lookups import LOOKUPS
from bench.operations import OPERATIONS, Operation

ALL_OPERATIONS: tuple[Operation, ...] = OPERATIONS + LOOKUPS
BY_NAME = {operation.name: operation for operation in ALL_OPERATIONS}
# The three single lookups of issue 13's outside wrk check.
SINGLE_LOOKUPS = ("grid_residents", "case_parties", "person_cases")
GROUPS = {
    "mix": tuple(op.name for op in OPERATIONS),
    "lookups": SINGLE_LOOKUPS,
    "all": tuple(op.name for op in ALL_OPERATIONS),
}


def select(text: str | None) -> tuple[Operation, ...]:
    """`--operations`: names and group names (mix, lookups, all), comma-separated; the mix
    when empty. Unknown names raise ValueError."""
    if not text:
        return OPERATIONS
    names: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        for name in GROUPS.get(item, (item,)):
            if name not in BY_NAME:
                known = sorted([*BY_NAME, *GROUPS])
                raise ValueError(f"unknown operation {name!r}; choose from {known}")
            if name not in names:
                names.append(name)
    return tuple(BY_NAME[name] for name in names)
