"""The seeds' follow-up of the quarterly evaluation (末位 → 诫勉 → 淘汰): warnings on the flagged
evaluations, a replacement for a worker flagged again after a warning, nothing after the
seeded period; and the generator's evaluations carry the warnings deterministically."""

from __future__ import annotations

from typing import Any

from graph.personal_data import PersonalDataKey
from seeds.generator import Generator
from seeds.plan import DEFAULT_SEED, Scale, scale_spec
from seeds.worker_turnover import WARNING, Turnover, after_quarter, successor_for


def _rows(quarter: str, workers: dict[str, str], flagged: set[str]) -> list[dict[str, Any]]:
    return [
        {"gridCode": grid, "personId": worker, "bottom5": grid in flagged, "quarter": quarter}
        for grid, worker in sorted(workers.items())
    ]


def test_a_flag_warns_a_second_flag_after_a_warning_replaces() -> None:
    turnover = Turnover({"G1": "w1", "G2": "w2"}, {"G1": "s1", "G2": "s2"})
    # a first flag: warned on the evaluation, 10 days after the quarter
    first = _rows("2024Q1", turnover.workers, {"G1"})
    turnover.follow("2024Q1", first)
    assert first[0]["warnedAt"] == after_quarter("2024Q1", 10)
    assert first[0]["warning"] == WARNING and "warnedAt" not in first[1]
    assert turnover.replacements == []
    # another worker's first flag is only a warning; the warned one flagged again is replaced
    turnover.follow("2024Q2", _rows("2024Q2", turnover.workers, {"G2"}))
    turnover.follow("2024Q3", _rows("2024Q3", turnover.workers, {"G1"}))
    assert [(r["grid"], r["worker"], r["successor"]) for r in turnover.replacements] == [
        ("G1", "w1", "s1")
    ]
    assert turnover.replacements[0]["at"] == after_quarter("2024Q3", 20)
    # the successor is evaluated from then on, with a clean record, and never replaced twice
    later = _rows("2024Q4", turnover.workers, {"G1"})
    assert later[0]["personId"] == "s1"
    turnover.follow("2024Q4", later)
    assert len(turnover.replacements) == 1
    # and nothing follows the seeded period's last quarter
    last = _rows("2025Q1", turnover.workers, {"G2"})
    turnover.follow("2025Q1", last)
    assert "warnedAt" not in last[1] and len(turnover.replacements) == 1


def test_the_successor_is_a_working_age_resident_without_a_role() -> None:
    class Adult:
        def __init__(self, id: str, age: int) -> None:
            self.id, self.age = id, age

    adults = [Adult("P3", 30), Adult("P1", 70), Adult("P2", 40), Adult("P0", 35)]
    assert successor_for(adults, {"P0"}) == "P2"
    assert successor_for([Adult("P9", 80)], set()) is None


def test_the_tiny_seed_warns_its_flagged_workers_before_april_2025() -> None:
    generator = Generator(scale_spec(Scale.TINY), DEFAULT_SEED, PersonalDataKey(bytes(32)))
    evaluations = [row for chunk, _ in generator.chunks() for row in chunk.evaluations]
    flagged = [row for row in evaluations if row["bottom5"]]
    warned = [row for row in flagged if row.get("warnedAt")]
    assert warned and all(row["quarter"] != "2025Q1" for row in warned)
    assert {row["id"] for row in warned} == {
        row["id"] for row in flagged if row["quarter"] != "2025Q1"
    }
