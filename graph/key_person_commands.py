"""What the key-person mutations do, each ONE write transaction with an optional idempotency
claim: assign or release a responsible person, add a measure, record a follow-up.

The key person is found and locked as a resident the caller may change
(graph/resident_commands.py `lock_resident`); a measure is locked with its person
(graph/key_persons.py LOCK_MEASURE) before its version is read, so two follow-ups at one
`expectedVersion` give one success and one StaleVersion. Responsible persons and assignees
must be persons the caller may see.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from graph import key_persons
from graph.case_commands import CommandRefused, IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import GraphClient, TransactionWriter, to_native
from graph.key_persons import key_person_rules
from graph.resident_commands import Editor, Locked, StaleVersion, Unknown, lock_resident


@dataclass(frozen=True)
class MeasureChange:
    """What a key-person mutation did: the person, the measure (if any), versions, due day."""

    person_id: str
    measure_id: str | None
    version: int  # the measure's version (the person's for responsible persons)
    status: str | None = None
    due_on: str | None = None  # ISO date
    replayed: bool = False


def _encode(change: MeasureChange) -> str:
    return json.dumps({k: v for k, v in asdict(change).items() if k != "replayed"})


def _decode(text: str) -> MeasureChange:
    return MeasureChange(**json.loads(text), replayed=True)


def follow_up_days(grade: str | None) -> int:
    """How often a measure of this grade is followed up (the lowest grade's when ungraded)."""
    rules = key_person_rules()
    codes = [g.code for g in rules.grades]
    return rules.grade(grade if grade in codes else codes[-1]).follow_up_days


async def _key_person(
    tx: TransactionWriter, person: str, editor: Editor, expected: int | None
) -> Locked:
    locked = await lock_resident(tx, person, editor, expected, "person")
    if not locked.values["tags"]:
        raise CommandRefused("the person has no key-person tag (tag them first)", "person")
    return locked


async def _visible(tx: TransactionWriter, person: str, editor: Editor, argument: str) -> None:
    params = {"person": person, "scope": None if editor.scope is None else list(editor.scope)}
    if not await tx.write(key_persons.VISIBLE_PERSON, params):
        raise Unknown("person", person, argument)


async def assign_responsible(
    graph: GraphClient,
    person: str,
    responsible: str,
    duty: str | None,
    release: bool,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> MeasureChange:
    """Assign (or release) a responsible person (包保责任人) of a key person."""

    async def work(tx: TransactionWriter) -> MeasureChange:
        locked = await _key_person(tx, person, editor, expected)
        await _visible(tx, responsible, editor, "responsible")
        if responsible == person:
            raise CommandRefused("a key person is not their own responsible person", "responsible")
        params: dict[str, object] = {"person": person, "responsible": responsible}
        params["at"] = editor.at
        params |= {"since": editor.at.date(), "duty": duty, "subject": editor.subject}
        if release:
            [row] = await tx.write(key_persons.RELEASE_RESPONSIBLE, params)
            if not row["released"]:
                raise CommandRefused(
                    "they are not a responsible person of the key person", "responsible"
                )
        else:
            await tx.write(key_persons.ASSIGN_RESPONSIBLE, params)
        return MeasureChange(person, None, locked.version + 1)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def add_measure(
    graph: GraphClient,
    person: str,
    kind: str,
    description: str,
    due_on: date | None,
    assignee: str | None,
    editor: Editor,
    claim: IdempotencyClaim | None,
) -> MeasureChange:
    """Add a measure (帮扶/教育/稳控) for a key person, due on `due_on` or after the grade's
    follow-up interval."""

    async def work(tx: TransactionWriter) -> MeasureChange:
        locked = await _key_person(tx, person, editor, None)
        if assignee is not None:
            await _visible(tx, assignee, editor, "assignee")
        grade = locked.values["keyPersonGrade"]
        due = due_on or editor.at.date() + timedelta(days=follow_up_days(grade))
        measure = f"KM{uuid.uuid4().hex[:20]}"
        params: dict[str, object] = {"person": person, "id": measure, "kind": kind}
        params["description"] = description
        params |= {"dueOn": due, "at": editor.at, "subject": editor.subject, "assignee": assignee}
        await tx.write(key_persons.ADD_MEASURE, params)
        return MeasureChange(person, measure, 1, "open", due.isoformat())

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def follow_up(
    graph: GraphClient,
    measure: str,
    note: str,
    done: bool,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> MeasureChange:
    """Record a follow-up of an open measure: done closes it, otherwise it is due again after
    the grade's follow-up interval."""

    async def work(tx: TransactionWriter) -> MeasureChange:
        scope = None if editor.scope is None else list(editor.scope)
        rows = await tx.write(key_persons.LOCK_MEASURE, {"measure": measure, "scope": scope})
        if not rows:
            raise Unknown("measure", measure, "measure")
        found = to_native(rows[0])
        if expected is not None and expected != found["version"]:
            raise StaleVersion("measure", measure, expected, found["version"])
        if found["status"] != "open":
            raise CommandRefused(f"the measure is {found['status']}, not open", "measure")
        next_due = editor.at.date() + timedelta(days=follow_up_days(found["grade"]))
        params: dict[str, object] = {"measure": measure, "id": f"MF{uuid.uuid4().hex[:20]}"}
        params |= {"at": editor.at}
        params |= {"note": note, "subject": editor.subject, "byPerson": editor.person_id}
        [row] = await tx.write(key_persons.FOLLOW_UP, {**params, "done": done, "nextDue": next_due})
        row = to_native(row)
        return MeasureChange(
            found["person"], measure, row["version"], row["status"], row["dueOn"].isoformat()
        )

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)
