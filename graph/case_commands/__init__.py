"""The case workflow's mutations (docs/workflow.md), each ONE write transaction.

A command on an existing case runs, in one transaction: the idempotency claim (a MERGE on
the key; a key that already holds a result is a retry, answered with that result while
nothing is written), `lock_case` (the case's write lock is taken *before* its status, version
and level are read, so concurrent commands on one case run one after the other and each
sees what the other committed), the checks (the caller's authorization, the expected
version, the state machine of graph/case_workflow.py), the action's own writes through the
same graph/cases.py functions as the seeds and the importer, APPLY (status, version + 1,
deadline, timeline events) and the stored result. Anything raised rolls all of it back.

Given the caller's `scope`, the lock and every node a command links (grid, reporter, parties,
mediator, committee, department, related cases) are matched with the read path's row-scope
predicate in that same transaction: out of scope is not found, exactly like unknown; a new
party whose ID card is a person out of scope is PersonOutOfScope; a retry's stored result is
returned only while its case is in scope. Mediators and committees must serve the case's
place (a committee covering its grid or a place above it) whoever the caller is.

- `cypher`: the Cypher constants;
- `model`: arguments, results and the refusals callers translate into client errors;
- `scoped`: the checks of what a command names, in the caller's scope;
- `run`: `run_command` and `report_case`.
"""

from graph.case_commands.cypher import OVERDUE_IN_PLACE, Target
from graph.case_commands.model import (
    Actor,
    CaseNotFound,
    CaseReport,
    CaseState,
    Command,
    CommandRefused,
    EventRecord,
    IdempotencyClaim,
    KeyReused,
    MediationOutcome,
    NewPerson,
    Outcome,
    PersonOutOfScope,
    RelatedReason,
    TargetNotFound,
    VersionConflict,
)
from graph.case_commands.run import Check, report_case, run_command

__all__ = [
    "OVERDUE_IN_PLACE",
    "Actor",
    "CaseNotFound",
    "CaseReport",
    "CaseState",
    "Check",
    "Command",
    "CommandRefused",
    "EventRecord",
    "IdempotencyClaim",
    "KeyReused",
    "MediationOutcome",
    "NewPerson",
    "Outcome",
    "PersonOutOfScope",
    "RelatedReason",
    "Target",
    "TargetNotFound",
    "VersionConflict",
    "report_case",
    "run_command",
]
