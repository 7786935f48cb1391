"""Volunteer activities (网格志愿服务活动: 义诊、帮扶、文体活动 ...) of a grid's team, the credit
points (信用积分) they grant and the stars (星级) derived from points.

`(:VolunteerActivity {id, kind, title, at, hours, version})` is `BY_TEAM` a volunteer team
and `IN_GRID` the grid it serves; each participant `TOOK_PART {hours, points}` in it. The
points rule and the star thresholds are policy.toml's [volunteer_credit] (local
assumptions): the seeds and the mutation both use `CreditRules`, and a participant's
VOLUNTEERS_IN {points, stars} is the running total.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, LiteralString

from graph import persons, places, volunteers
from graph.activity_checks import ActivityRefused, require_visible
from graph.case_commands import IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import CypherWriter, GraphClient, TransactionWriter
from graph.policy import POLICY_FILE
from graph.traversal import Hop, NodeSpec, Scope


@dataclass(frozen=True)
class ActivityKind:
    """A kind of volunteer activity and its points multiplier (policy.toml)."""

    code: str
    name: str
    multiplier: float


@dataclass(frozen=True)
class CreditRules:
    """policy.toml [volunteer_credit]: points per hour, the hours cap, stars, kinds."""

    points_per_hour: int
    max_hours: float
    star_thresholds: tuple[int, ...]
    kinds: tuple[ActivityKind, ...]

    def kind(self, code: str) -> ActivityKind | None:
        """The kind with this code, or None."""
        return next((kind for kind in self.kinds if kind.code == code), None)

    def points(self, kind: ActivityKind, hours: float) -> int:
        """The points one participant earns for `hours` of an activity of `kind`."""
        return round(min(hours, self.max_hours) * self.points_per_hour * kind.multiplier)

    def stars(self, points: int) -> int:
        """1 star, plus one per threshold reached (1-5 with four thresholds)."""
        return 1 + sum(1 for threshold in self.star_thresholds if points >= threshold)


@cache
def load_credit_rules(path: Path = POLICY_FILE) -> CreditRules:
    """The [volunteer_credit] section of the policy file (read once)."""
    section = tomllib.loads(path.read_text(encoding="utf-8"))["volunteer_credit"]
    return CreditRules(
        points_per_hour=int(section["points_per_hour"]),
        max_hours=float(section["max_hours"]),
        star_thresholds=tuple(int(t) for t in section["star_thresholds"]),
        kinds=tuple(
            ActivityKind(k["code"], k["name"], float(k["multiplier"])) for k in section["kinds"]
        ),
    )


UPSERT_ACTIVITIES: LiteralString = """
UNWIND $rows AS row
MATCH (t:VolunteerTeam {code: row.teamCode})-[:SERVES]->(g:Grid)
MERGE (a:VolunteerActivity {id: row.id})
SET a.kind = row.kind, a.title = row.title, a.at = row.at, a.hours = row.hours,
    a.version = coalesce(a.version, 1)
MERGE (a)-[:BY_TEAM]->(t)
MERGE (a)-[:IN_GRID]->(g)
WITH a, row
UNWIND row.participants AS taking
MATCH (p:Person {id: taking.personId})
MERGE (p)-[r:TOOK_PART]->(a)
SET r.hours = taking.hours, r.points = taking.points
"""

# Credit a volunteer's running total in the team (the relationship's write lock makes
# concurrent grants add up) and derive the stars from it.
GRANT_POINTS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})-[r:VOLUNTEERS_IN]->(:VolunteerTeam {code: row.teamCode})
SET r.points = coalesce(r.points, 0) + row.points
SET r.stars = 1 + size([threshold IN $thresholds WHERE r.points >= threshold])
RETURN p.id AS personId, r.points AS points, r.stars AS stars
"""

TEAM_MEMBERS: LiteralString = """
UNWIND $ids AS id
MATCH (p:Person {id: id})-[:VOLUNTEERS_IN]->(:VolunteerTeam {code: $team})
RETURN p.id AS id
"""


async def upsert_activities(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update activities (rows: id, teamCode, kind, title, at, hours, participants:
    [{personId, hours, points}]); volunteers' totals are not changed (see grant_points)."""
    await graph.write(UPSERT_ACTIVITIES, {"rows": list(rows)})


async def grant_points(
    graph: CypherWriter, rows: Sequence[Mapping[str, Any]], rules: CreditRules
) -> list[dict[str, Any]]:
    """Add points to volunteers' totals (rows: personId, teamCode, points); their new totals
    and stars."""
    params = {"rows": list(rows), "thresholds": list(rules.star_thresholds)}
    return await graph.write(GRANT_POINTS, params)


async def team_members(graph: CypherWriter, team: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` volunteer in `team`."""
    return {row["id"] for row in await graph.write(TEAM_MEMBERS, {"team": team, "ids": ids})}


# -- reads ----------------------------------------------------------------------------------

VOLUNTEER_ACTIVITY = NodeSpec("VolunteerActivity", "id", ("kind", "title", "at", "hours"))
TEAM_ACTIVITIES = Hop(
    volunteers.VOLUNTEER_TEAM,
    "(s:VolunteerTeam)<-[r:BY_TEAM]-(t:VolunteerActivity)",
    VOLUNTEER_ACTIVITY,
    order="t.at DESC, t.id",
)
ACTIVITY_TEAM = Hop(
    VOLUNTEER_ACTIVITY,
    "(s:VolunteerActivity)-[r:BY_TEAM]->(t:VolunteerTeam)",
    volunteers.VOLUNTEER_TEAM,
)
ACTIVITY_GRID = Hop(VOLUNTEER_ACTIVITY, "(s:VolunteerActivity)-[r:IN_GRID]->(t:Grid)", places.GRID)
ACTIVITY_PARTICIPANTS = Hop(
    VOLUNTEER_ACTIVITY,
    "(s:VolunteerActivity)<-[r:TOOK_PART]-(t:Person)",
    persons.PERSON,
    edge=("hours", "points"),
    order="t.name, t.id",
)


# -- the write command ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityDraft:
    """A volunteer activity to record (values checked by the resolver)."""

    team_code: str
    kind: ActivityKind
    title: str
    at: datetime
    participants: tuple[tuple[str, float], ...]  # (person id, hours)


@dataclass(frozen=True)
class Credit:
    """What one participant earned and their total and stars afterwards."""

    person_id: str
    hours: float
    points: int
    total: int
    stars: int


@dataclass(frozen=True)
class ActivityRecord:
    """What recordVolunteerActivity did."""

    activity_id: str
    credits: tuple[Credit, ...]
    replayed: bool = False


def _encode(record: ActivityRecord) -> str:
    return json.dumps(
        {"activity_id": record.activity_id, "credits": [vars(c) for c in record.credits]}
    )


def _decode(text: str) -> ActivityRecord:
    stored = json.loads(text)
    credits = tuple(Credit(**c) for c in stored["credits"])
    return ActivityRecord(stored["activity_id"], credits, replayed=True)


async def record_activity(
    graph: GraphClient,
    draft: ActivityDraft,
    rules: CreditRules,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> ActivityRecord:
    """Record an activity and credit its participants, in one write transaction: the team must
    be visible, every participant one of its volunteers."""
    team = draft.team_code

    async def work(tx: TransactionWriter) -> ActivityRecord:
        spec = volunteers.VOLUNTEER_TEAM
        await require_visible(tx, spec, [team], "team", scope, "volunteer team")
        ids = [person for person, _ in draft.participants]
        outsiders = sorted(set(ids) - await team_members(tx, team, ids))
        if outsiders:
            message = f"not volunteers of team {team}: {', '.join(outsiders)}"
            raise ActivityRefused(message, "participants")
        earned = {person: rules.points(draft.kind, hours) for person, hours in draft.participants}
        activity_id = f"VA{draft.at:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        row = {
            "id": activity_id,
            "teamCode": team,
            "kind": draft.kind.code,
            "title": draft.title,
            "at": draft.at,
            "hours": sum(hours for _, hours in draft.participants),
            "participants": [
                {"personId": p, "hours": h, "points": earned[p]} for p, h in draft.participants
            ],
        }
        await upsert_activities(tx, [row])
        grants = [{"personId": p, "teamCode": team, "points": earned[p]} for p in ids]
        totals = {r["personId"]: r for r in await grant_points(tx, grants, rules)}
        credits = tuple(
            Credit(p, h, earned[p], totals[p]["points"], totals[p]["stars"])
            for p, h in draft.participants
        )
        return ActivityRecord(activity_id, credits)

    async def team_still_visible(tx: TransactionWriter) -> None:
        spec = volunteers.VOLUNTEER_TEAM
        await require_visible(tx, spec, [team], "team", scope, "volunteer team")

    return await run_claimed(graph, claim, draft.at, work, _encode, _decode, team_still_visible)
