"""The generator without a database: determinism, the district's real figures, identities."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

import pytest

from graph.personal_data import PersonalDataKey, id_card_check_digit, is_valid_id_card
from graph.policy import load_policy
from seeds.generator import Generator
from seeds.loader import _flushes
from seeds.plan import Scale, apportion, plan_frame, scale_spec
from seeds.rencheng import STREETS

KEY = PersonalDataKey(bytes(32))


def _generate(seed: int) -> list[dict[str, object]]:
    generator = Generator(scale_spec(Scale.TINY), seed, KEY)
    return [
        {f.name: getattr(chunk, f.name) for f in fields(chunk)} for chunk, _ in _flushes(generator)
    ]


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not() -> None:
    # given two runs with one seed and a run with another
    first, second, other = _generate(7), _generate(7), _generate(8)
    # then the first two are identical, row for row, and the third differs
    assert first == second
    assert first != other


def test_the_district_plan_reproduces_the_real_figures() -> None:
    # given the district scale's plan (decided up front, no residents generated)
    spec = scale_spec(Scale.DISTRICT)
    plan = plan_frame(spec, 1, load_policy())
    grids = [grid for street in plan for grid in street.grids]
    # then the frame has the real streets, communities and grids
    assert [street.name for street in plan] == [name for name, _ in STREETS]
    assert sum(len(street.communities) for street in plan) == 374
    assert len(grids) == 1541
    assert sum(grid.residents for grid in grids) == 867_000
    # and the party, member, mediation figures of DESIGN.md §2
    assert sum(g.party_org == "grid_branch" for g in grids) == 471
    assert sum(g.party_org == "grid_party_group" for g in grids) == 83
    assert 471 + 83 + sum(g.building_groups for g in grids) == 1637  # one secretary each
    assert sum(g.instructed for g in grids) == 460
    assert sum(street.professional_members for street in plan) == 3579
    assert len({street.committee for street in plan}) == 11
    assert sum(street.studios for street in plan) >= 100
    assert 0 < sum(g.breach for g in grids) < len(grids)


def test_residents_can_be_adjusted_but_not_below_twenty_a_grid() -> None:
    assert scale_spec(Scale.DISTRICT, residents=100_000).residents == 100_000
    with pytest.raises(ValueError, match="20 per grid"):
        scale_spec(Scale.DISTRICT, residents=1_000)


def test_apportion_keeps_the_total_and_the_minimum() -> None:
    parts = apportion(101, [1.0, 2.5, 0.3, 7.0], minimum=5)
    assert sum(parts) == 101
    assert min(parts) >= 5
    assert parts[3] == max(parts)


def test_issued_id_numbers_are_valid_unique_and_carry_sex_and_birth_date() -> None:
    # given the clear identifiers a tiny run issues
    issued: list[str] = []
    generator = Generator(scale_spec(Scale.TINY), 3, KEY, audit=issued)
    rows = [row for chunk, _ in _flushes(generator) for row in chunk.persons]
    numbers = [value for value in issued if len(value) == 18]
    # then one number per person, all valid GB 11643 numbers under 370811, none repeated
    assert len(numbers) == len(rows) == len(set(numbers))
    for number in numbers:
        assert is_valid_id_card(number)
        assert number.startswith("370811")
        assert number[17] == id_card_check_digit(number[:17])
    # and the stored rows agree with the numbers: birth date and sex (odd serial = male)
    from_numbers = Counter(
        (number[6:14], "male" if int(number[16]) % 2 else "female") for number in numbers
    )
    from_rows = Counter((row["birthDate"].strftime("%Y%m%d"), row["gender"]) for row in rows)
    assert from_numbers == from_rows
