"""What follows the quarterly evaluation in the seeds (末位 → 诫勉 → 淘汰), as the street's
mutations would record it (warnGridWorker, replaceGridWorker; docs/workflow.md).

A worker flagged in the bottom 5% of a quarter is warned on that evaluation (10 days after the
quarter); a worker flagged again in a later quarter, after that warning, is replaced 20 days
after it by a resident of the grid (the history kept: the old WORKS_GRID gets `until`, the
successor's starts then).
Both rules are local assumptions: the article says only that the bottom 5% are eliminated
(严格落实5%末位淘汰机制). Nothing here draws random numbers, so the other seeds stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graph.china_time import CHINA_TIME

WARNING = "履职评估末位，诫勉谈话"
REASON = "警告后再次履职评估末位（末位淘汰）"
# Cases are seeded up to the end of 2025Q1; what would follow its evaluation (in April 2025)
# lies after the seeded period, so its flags are recorded without a warning or replacement.
SEEDED_UNTIL = datetime(2025, 4, 1, tzinfo=CHINA_TIME)


def after_quarter(quarter: str, days: int) -> datetime:
    """`days` days after the end of `quarter` (2024Q3), 09:00 China time."""
    year, q = int(quarter[:4]), int(quarter[-1])
    end = datetime(year + 1, 1, 1) if q == 4 else datetime(year, 3 * q + 1, 1)
    return (end + timedelta(days=days - 1, hours=9)).replace(tzinfo=CHINA_TIME)


@dataclass
class Turnover:
    """The grids' current workers, moved on quarter by quarter; the replacements made."""

    workers: dict[str, str]  # grid code -> current worker's person id
    candidates: dict[str, str]  # grid code -> the resident who would take over
    warned: set[str] = field(default_factory=set)  # workers warned before
    replacements: list[dict[str, Any]] = field(default_factory=list)

    def follow(self, quarter: str, evaluations: list[dict[str, Any]]) -> None:
        """Warn the quarter's flagged workers (on their evaluation rows) and replace those
        warned before; later quarters evaluate the successors."""
        if after_quarter(quarter, 10) >= SEEDED_UNTIL:
            return
        again = sorted(
            row["gridCode"]
            for row in evaluations
            if row["bottom5"] and row["personId"] in self.warned
        )
        for row in evaluations:
            if row["bottom5"]:
                row["warnedAt"] = after_quarter(quarter, 10)
                row["warning"] = WARNING
                self.warned.add(row["personId"])
        for grid in again:
            successor = self.candidates.get(grid)
            if successor is None or successor == self.workers[grid]:
                continue
            self.replacements.append(
                {
                    "grid": grid,
                    "worker": self.workers[grid],
                    "successor": successor,
                    "at": after_quarter(quarter, 20),
                    "reason": REASON,
                }
            )
            self.workers[grid] = successor
            del self.candidates[grid]  # one replacement per grid in the seeded period


def successor_for(adults: list[Any], taken: set[str]) -> str | None:
    """The resident who would take over the grid: the first adult of working age (25-55) by
    id who holds no role in the grid yet."""
    fit = sorted(p.id for p in adults if 25 <= p.age <= 55 and p.id not in taken)
    return fit[0] if fit else None
