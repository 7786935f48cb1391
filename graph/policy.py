"""Local-policy enumerations read from graph/policy.toml (data, not code)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).with_name("policy.toml")


@dataclass(frozen=True)
class Entry:
    """One enumerated value: the stored code, its Chinese name and a generator weight."""

    code: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class TenNoItem:
    """One of the ten "no"s (十无); a case with this tenNoItem breaches it in its grid."""

    code: str
    name: str
    breach: str
    category: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class CaseCategory:
    """A case category (类别) with its usual kind, departments and title templates."""

    code: str
    name: str
    kind: str
    weight: float
    departments: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class KeyPersonTag:
    """A key-person (重点人员) tag; weight per 1,000 residents within an age band."""

    code: str
    name: str
    weight: float
    min_age: int
    max_age: int


@dataclass(frozen=True)
class Department:
    """A functional department (职能部门) or livelihood service unit (民生服务单位)."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class MediatorKind:
    """A kind of mediator (三官二师一首席, or a community mediator) and its count per committee."""

    code: str
    name: str
    per_committee: int


@dataclass(frozen=True)
class WorkflowRules:
    """Deadlines of the whistle-and-report rule (吹哨报到) and the follow-up threshold."""

    sign_hours: int  # a dispatched work order is signed for (签收) within this many hours
    first_contact_hours: int  # a received case is accepted (受理, first contact) within this
    on_site_working_days: Mapping[str, int]  # handled on site within this, by case kind
    satisfied_at_least: int  # a follow-up this satisfied (1-5) closes the case; lower reopens
    # 吹哨报到: a professional member called in by a grid worker acknowledges (报到) within
    # this many minutes, is on site within these hours of the call, records what they did
    # within these hours of the call.
    whistle_acknowledge_minutes: int = 30
    whistle_on_site_hours: int = 2
    whistle_record_hours: int = 24

    def on_site_days(self, kind: str) -> int:
        """Working days to handle a case of this kind on site (the longest for an unknown kind)."""
        return self.on_site_working_days.get(kind, max(self.on_site_working_days.values()))


@dataclass(frozen=True)
class EvaluationItem:
    """One scored item of the quarterly grid-worker evaluation (0-100, weighted)."""

    code: str
    name: str
    weight: int


@dataclass(frozen=True)
class EvaluationRules:
    """The quarterly evaluation: its items and the share flagged at the bottom (末位)."""

    items: tuple[EvaluationItem, ...]
    bottom_share: float

    def total(self, scores: Mapping[str, float]) -> float:
        """The weighted mean of the item scores, one decimal."""
        weights = sum(item.weight for item in self.items)
        points = sum(item.weight * scores[item.code] for item in self.items)
        return round(points / weights, 1)


@dataclass(frozen=True)
class Policy:
    """Every enumeration the generator draws from."""

    hotline_centre: str
    platform: str
    ten_no_items: tuple[TenNoItem, ...]
    case_kinds: tuple[Entry, ...]
    case_categories: tuple[CaseCategory, ...]
    channels: tuple[Entry, ...]
    severities: tuple[Entry, ...]
    colour_labels: tuple[Entry, ...]
    key_person_tags: tuple[KeyPersonTag, ...]
    departments: tuple[Department, ...]
    mediator_kinds: tuple[MediatorKind, ...]
    studio_names: tuple[str, ...]
    studio_patterns: tuple[str, ...]
    community_stems: tuple[str, ...]
    village_suffixes: tuple[str, ...]
    estate_suffixes: tuple[str, ...]
    workflow: WorkflowRules
    evaluation: EvaluationRules

    def category(self, code: str) -> CaseCategory:
        """The category with this code."""
        return next(c for c in self.case_categories if c.code == code)


def _entries(items: list[dict[str, Any]]) -> tuple[Entry, ...]:
    return tuple(Entry(i["code"], i["name"], float(i.get("weight", 1.0))) for i in items)


@cache
def load_policy(path: Path = POLICY_FILE) -> Policy:
    """Parse the policy file once."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Policy(
        hotline_centre=data["frame"]["district_hotline_centre"],
        platform=data["frame"]["platform"],
        ten_no_items=tuple(
            TenNoItem(i["code"], i["name"], i["breach"], i["category"], tuple(i["titles"]))
            for i in data["ten_no_items"]
        ),
        case_kinds=_entries(data["case_kinds"]),
        case_categories=tuple(
            CaseCategory(
                i["code"],
                i["name"],
                i["kind"],
                float(i["weight"]),
                tuple(i["departments"]),
                tuple(i["titles"]),
            )
            for i in data["case_categories"]
        ),
        channels=_entries(data["channels"]),
        severities=_entries(data["severities"]),
        colour_labels=_entries(data["colour_labels"]),
        key_person_tags=tuple(
            KeyPersonTag(i["code"], i["name"], float(i["weight"]), i["min_age"], i["max_age"])
            for i in data["key_person_tags"]
        ),
        departments=tuple(Department(i["code"], i["name"], i["kind"]) for i in data["departments"]),
        mediator_kinds=tuple(
            MediatorKind(i["code"], i["name"], int(i["per_committee"]))
            for i in data["mediator_kinds"]
        ),
        studio_names=tuple(data["studios"]["named"]),
        studio_patterns=tuple(data["studios"]["patterns"]),
        community_stems=tuple(data["names"]["community_stems"]),
        village_suffixes=tuple(data["names"]["village_suffixes"]),
        estate_suffixes=tuple(data["names"]["estate_suffixes"]),
        workflow=WorkflowRules(
            sign_hours=int(data["workflow"]["sign_hours"]),
            first_contact_hours=int(data["workflow"]["first_contact_hours"]),
            on_site_working_days={
                kind: int(days) for kind, days in data["workflow"]["on_site_working_days"].items()
            },
            satisfied_at_least=int(data["workflow"]["satisfied_at_least"]),
            whistle_acknowledge_minutes=int(data["workflow"]["whistle"]["acknowledge_minutes"]),
            whistle_on_site_hours=int(data["workflow"]["whistle"]["on_site_hours"]),
            whistle_record_hours=int(data["workflow"]["whistle"]["record_hours"]),
        ),
        evaluation=EvaluationRules(
            items=tuple(
                EvaluationItem(str(item["code"]), str(item["name"]), int(item["weight"]))
                for item in data["evaluation"]["items"]
            ),
            bottom_share=float(data["evaluation"]["bottom_share"]),
        ),
    )
