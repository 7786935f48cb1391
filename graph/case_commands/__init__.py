"""The case workflow's mutations (docs/workflow.md), each ONE write transaction.

A command on an existing case runs, in one transaction: the idempotency claim (a MERGE on
the key; a key that already holds a result is a retry, answered with that result while
nothing is written), LOCK_CASE (the case's write lock is taken *before* its status, version
and level are read, so concurrent commands on one case run one after the other and each
sees what the other committed), the checks (the caller's authorization, the expected
version, the state machine of graph/case_workflow.py), the action's own writes through the
same graph/cases.py functions as the seeds and the importer, APPLY (status, version + 1,
deadline, timeline events) and the stored result. Anything raised rolls all of it back.

- `cypher`: the Cypher constants;
- `model`: arguments, results and the refusals callers translate into client errors;
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
    "RelatedReason",
    "Target",
    "TargetNotFound",
    "VersionConflict",
    "report_case",
    "run_command",
]
