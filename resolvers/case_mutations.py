"""What the case workflow's mutations do: who may, argument checks, and stable error codes.

The work itself is graph/case_commands (one write transaction per mutation); this module
decides who may act (admin, developer, and grid workers in their own grids), turns the
arguments into commands, and the graph's refusals into client errors: INVALID_TRANSITION
with the case's status and the allowed actions, CONFLICT with the current version,
NOT_FOUND, BAD_USER_INPUT, FORBIDDEN.

Row scope holds for writes (docs/security.md): the principal's scope goes into the
transaction, so a case, grid, person, mediator, committee or related case out of scope is
NOT_FOUND with the very message and extensions of an unknown one; FORBIDDEN says only that
the role may not change cases, or that a new party's ID card is a person out of scope.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graph import case_commands, cases, traversal
from graph.case_commands import (
    Actor,
    CaseReport,
    CaseState,
    Command,
    IdempotencyClaim,
    NewPerson,
    Outcome,
    Target,
)
from graph.case_workflow import CaseAction, TransitionNotAllowed
from graph.cases import CaseLevel, CasePartyRole
from graph.china_time import CHINA_TIME
from graph.personal_data import (
    id_card_problem,
    is_valid_phone,
    normalize_id_card,
    person_id,
    protect_person_identifiers,
)
from graph.places import PlaceLevel
from graph.policy import load_policy
from resolvers import offices
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Conflict, Forbidden, InvalidTransition, NotFound
from resolvers.places import level_of
from resolvers.principal import Principal, Role
from resolvers.vocabulary import Vocabulary, checked_code

# Roles that may change cases at all; which action on which case is resolvers/offices.py's.
MUTATING_ROLES = offices.ACTING_ROLES
MAX_KEY_LENGTH = 200
MAX_TEXT = {"title": 200, "description": 4000, "note": 1000, "reason": 1000, "name": 50}
MAX_RELATED = 20
MAX_WHISTLED = 10
HOTLINE_CHANNEL = "hotline_12345"  # the channel of cases the hotline centre files (12345)


def require_mutating_role(principal: Principal) -> None:
    """FORBIDDEN unless the principal's role may change cases at all (checked first)."""
    if principal.role not in MUTATING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not change cases")


def authorize(principal: Principal, grid_code: str) -> None:
    """FORBIDDEN unless the role may change cases; NOT_FOUND, exactly as for an unknown grid,
    unless the principal may file and work cases in this one."""
    require_mutating_role(principal)
    if not principal.may_act_in(grid_code):
        gridless = len(grid_code) == 6  # a 12345 case filed at the district
        target, argument = (
            (Target.DISTRICT, "input.district") if gridless else (Target.GRID, "grid")
        )
        raise _not_found(case_commands.TargetNotFound(target, [grid_code], argument))


def _not_found(missing: case_commands.TargetNotFound) -> NotFound:
    """The one NOT_FOUND of a missing (or out-of-scope) target."""
    return NotFound(str(missing), argument=missing.argument, keys=missing.keys)


def actor_of(principal: Principal) -> Actor:
    """The actor recorded on timeline events: the principal's person, else its subject."""
    return Actor(principal.person_id, principal.subject)


def now() -> datetime:
    """The current time, China time (what events are stamped with)."""
    return datetime.now(CHINA_TIME)


def text(value: str | None, argument: str, required: bool = False) -> str | None:
    """Trimmed text within its length limit (BAD_USER_INPUT otherwise); blank is None."""
    value = (value or "").strip() or None
    if value is None and required:
        raise BadUserInput(f"{argument} must not be blank", argument=argument)
    limit = MAX_TEXT[argument.rsplit(".", 1)[-1]]
    if value is not None and len(value) > limit:
        raise BadUserInput(f"{argument} is longer than {limit} characters", argument=argument)
    return value


def china_time(moment: datetime | None) -> datetime | None:
    """A moment with its zone; one given without a zone is China time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TIME)


def claim_for(
    principal: Principal, operation: str, key: str | None, arguments: dict[str, Any]
) -> IdempotencyClaim | None:
    """The idempotency claim of a call: the key namespaced by the principal, and a digest of
    the operation and arguments (the same key with other arguments is refused)."""
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        message = f"idempotencyKey must have 1 to {MAX_KEY_LENGTH} characters"
        raise BadUserInput(message, argument="idempotencyKey")
    stored = hashlib.sha256(f"{principal.subject}\x00{key}".encode()).hexdigest()
    call = json.dumps([operation, arguments], sort_keys=True, default=str, ensure_ascii=False)
    fingerprint = hashlib.sha256(call.encode()).hexdigest()
    return IdempotencyClaim(stored, operation, fingerprint, principal.subject)


@contextmanager
def client_errors(
    case_code: str | None = None, new_persons: Mapping[str, str] | None = None
) -> Iterator[None]:
    """The graph's refusals as client errors with stable codes (`new_persons`: the argument
    path of each new party, by person id)."""
    try:
        yield
    except TransitionNotAllowed as refused:
        status = refused.current.value if refused.current else None
        allowed = [action.value for action in refused.allowed]
        raise InvalidTransition(
            f"cannot {refused.action.value} case {case_code}: it is {status};"
            f" allowed: {', '.join(allowed) or 'nothing'}",
            caseCode=case_code,
            status=status,
            action=refused.action.value,
            allowedActions=allowed,
        ) from None
    except case_commands.VersionConflict as conflict:
        raise Conflict(
            f"case {conflict.code} changed: it is at version {conflict.current}, not"
            f" {conflict.expected}; read it again",
            caseCode=conflict.code,
            expectedVersion=conflict.expected,
            currentVersion=conflict.current,
            status=conflict.status.value,
        ) from None
    except case_commands.CaseNotFound as missing:
        raise NotFound(str(missing), key=missing.code) from None
    except case_commands.TargetNotFound as missing:
        raise _not_found(missing) from None
    except case_commands.PersonOutOfScope as taken:
        # Says no more than needed: no id, name or place of the person, only that the number
        # is registered to someone the caller may not see (docs/security.md).
        where = (new_persons or {}).get(taken.person_ids[0], "input.parties")
        raise Forbidden(
            f"{where}: this ID-card number is registered to a person outside your scope; name"
            " only persons you can see, or ask someone whose scope covers that person",
            argument=where,
        ) from None
    except case_commands.KeyReused as reused:
        raise BadUserInput(str(reused), argument="idempotencyKey") from None
    except case_commands.CommandRefused as refused:
        raise BadUserInput(str(refused), argument=refused.argument) from None
    except offices.NotHolder as elsewhere:
        # The case is in the caller's scope (it could read it): say who holds it.
        raise Forbidden(
            str(elsewhere),
            caseCode=elsewhere.code,
            currentLevel=elsewhere.level.value,
            assignee=elsewhere.holder,
        ) from None


async def act(
    context: RequestContext,
    command: Command,
    idempotency_key: str | None,
    arguments: dict[str, Any],
) -> Outcome:
    """Run one workflow command as the request's principal (one write transaction)."""
    principal = context.principal
    require_mutating_role(principal)
    if command.expected_version is not None and command.expected_version < 0:
        raise BadUserInput("expectedVersion must not be negative", argument="expectedVersion")
    claim = claim_for(principal, command.action.value, idempotency_key, arguments)

    def check(state: CaseState) -> None:  # runs under the case's lock, before any write
        if not (principal.covers(state.place_code) or principal.covers(state.code)):
            raise case_commands.CaseNotFound(state.code)  # the scope held in Cypher already
        if not offices.may_take(principal, command.action, state):
            raise offices.NotHolder(state, command.action, principal.role)

    rules = load_policy().workflow
    scope = principal.scope_codes
    with client_errors(command.case_code):
        return await case_commands.run_command(context.graph, command, rules, check, claim, scope)


def whistle_member(principal: Principal, member: str | None) -> str:
    """Who reports to a whistle: the calling professional member (its person), or for an
    admin or developer the member named; BAD_USER_INPUT otherwise."""
    if principal.role in (Role.ADMIN, Role.DEVELOPER):
        if not member:
            raise BadUserInput("member (a person id) is required", argument="member")
        return member
    if member not in (None, principal.person_id):
        message = "a professional member reports for themselves; leave member out"
        raise BadUserInput(message, argument="member")
    return principal.person_id or ""


def whistle_members(members: list[str]) -> tuple[str, ...]:
    """The members a whistle calls, once each (BAD_USER_INPUT unless 1 to MAX_WHISTLED)."""
    if not 0 < len(members) <= MAX_WHISTLED:
        raise BadUserInput(f"call 1 to {MAX_WHISTLED} members", argument="members")
    return tuple(dict.fromkeys(members))


async def case_row(context: RequestContext, code: str) -> dict[str, Any]:
    """The case as it is now, read afresh (a request's loaders may hold it from before) with
    the principal's row scope, as every read."""
    scope = context.principal.scope_codes
    found = await traversal.nodes_by_key(context.graph, cases.CASE, [code], scope)
    if code not in found:
        raise NotFound(f"no case {code}", key=code)
    return found[code]


def related_codes(codes: list[str]) -> tuple[str, ...]:
    """The related cases of a link, once each (BAD_USER_INPUT unless 1 to MAX_RELATED); that
    each exists in the principal's scope is checked in the link's transaction."""
    if not 0 < len(codes) <= MAX_RELATED:
        raise BadUserInput(f"give 1 to {MAX_RELATED} related cases", argument="related")
    return tuple(dict.fromkeys(codes))


# -- reportCase -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyDraft:
    """A party of a new case: an existing person (person_id) or a new one (name, id_card)."""

    role: CasePartyRole
    person_id: str | None = None
    name: str | None = None
    id_card: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ReportDraft:
    """reportCase's arguments."""

    grid: str | None  # None: a 12345 case filed at the district without a grid
    kind: str
    category: str
    severity: str
    channel: str
    title: str
    description: str | None
    parties: list[PartyDraft]
    reporter: str | None = None
    ten_no_item: str | None = None
    note: str | None = None
    district: str | None = None  # a gridless 12345 case's district (an operator's by default)


def _new_person(context: RequestContext, party: PartyDraft, where: str) -> NewPerson:
    name = text(party.name, f"{where}.name", required=True) or ""
    number = normalize_id_card(party.id_card or "")
    problem = id_card_problem(number)
    if problem:
        raise BadUserInput(f"ID-card number {problem}", argument=f"{where}.idCard")
    if party.phone is not None and not is_valid_phone(party.phone):
        message = "phone must be an 11-digit mainland mobile number"
        raise BadUserInput(message, argument=f"{where}.phone")
    protected = protect_person_identifiers(context.personal_data_key, number, party.phone)
    return NewPerson(
        id=person_id(str(protected["idCardHash"])),
        name=name,
        gender="male" if int(number[16]) % 2 else "female",  # GB 11643: the 17th digit
        birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        protected=protected,
    )


@dataclass(frozen=True)
class Parties:
    """A new case's parties: persons named by id, new persons, and where each new one was."""

    named: tuple[tuple[str, CasePartyRole], ...]
    new: tuple[tuple[NewPerson, CasePartyRole], ...]
    arguments: dict[str, str]  # person id -> the argument path of its newPerson.idCard
    listed: tuple[tuple[str, CasePartyRole], ...]  # every party by person id, in input order

    def fingerprint(self) -> list[list[str]]:
        """The parties as the idempotency fingerprint holds them (new ones by blind index)."""
        return [[person_id, role.value] for person_id, role in self.listed]


def _parties(context: RequestContext, drafts: list[PartyDraft]) -> Parties:
    named: list[tuple[str, CasePartyRole]] = []
    new: list[tuple[NewPerson, CasePartyRole]] = []
    arguments: dict[str, str] = {}
    listed: list[tuple[str, CasePartyRole]] = []
    for index, party in enumerate(drafts):
        where = f"input.parties.{index}"
        if (party.person_id is None) == (party.id_card is None):
            message = "give either personId (an existing person) or newPerson, not both"
            raise BadUserInput(message, argument=where)
        if party.person_id is not None:
            named.append((party.person_id, party.role))
            listed.append((party.person_id, party.role))
        else:
            person = _new_person(context, party, f"{where}.newPerson")
            new.append((person, party.role))
            listed.append((person.id, party.role))
            arguments.setdefault(person.id, f"{where}.newPerson.idCard")
    # A personId that is also a new party's ID card is found in the transaction, once both
    # are known to be in scope (checked here, it would tell which ID card a person id has).
    for people in ([pid for pid, _ in named], [person.id for person, _ in new]):
        if len(set(people)) != len(people):
            message = "a person is named twice among the parties"
            raise BadUserInput(message, argument="input.parties")
    if CasePartyRole.APPLICANT not in {role for _, role in [*named, *new]}:
        raise BadUserInput("a case needs at least one applicant", argument="input.parties")
    return Parties(tuple(named), tuple(new), arguments, tuple(listed))


def _reporter(principal: Principal, reporter: str | None) -> str:
    if principal.person_id is None:
        if not reporter:
            message = "reporter (a person id) is required when the principal is no person"
            raise BadUserInput(message, argument="input.reporter")
        return reporter
    if reporter not in (None, principal.person_id):
        message = "the reporter is the principal's own person; leave reporter out"
        raise BadUserInput(message, argument="input.reporter")
    return principal.person_id


def _place_filed(principal: Principal, draft: ReportDraft) -> str:
    """The grid a case is filed in; or, for a 12345 case the hotline centre (or an admin)
    files without a grid, the district (an operator's own district when left out)."""
    if draft.grid is not None:
        if draft.district is not None:
            raise BadUserInput("give a grid or a district, not both", argument="input.district")
        if level_of(draft.grid, "input.grid") is not PlaceLevel.GRID:
            raise BadUserInput(f"{draft.grid!r} is not a grid code", argument="input.grid")
        return draft.grid
    gridless = principal.role in (Role.HOTLINE_OPERATOR, Role.ADMIN, Role.DEVELOPER)
    if not gridless or draft.channel != HOTLINE_CHANNEL:
        message = (
            "a grid is required, except for a 12345 case (channel"
            f" {HOTLINE_CHANNEL}) the hotline centre files at the district"
        )
        raise BadUserInput(message, argument="input.grid")
    district = draft.district
    if district is None and principal.scope is not None and len(principal.scope) == 1:
        [district] = principal.scope
    if district is None:
        raise BadUserInput("name the district of a case without a grid", argument="input.district")
    if level_of(district, "input.district") is not PlaceLevel.DISTRICT:
        raise BadUserInput(f"{district!r} is not a district code", argument="input.district")
    return district


async def report(
    context: RequestContext, draft: ReportDraft, idempotency_key: str | None
) -> Outcome:
    """File a new case as the request's principal (one write transaction)."""
    principal = context.principal
    if principal.role not in offices.REPORTING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not file cases")
    # The hotline centre files the 12345 calls it takes itself: held at the district level.
    hotline = principal.role is Role.HOTLINE_OPERATOR
    if hotline and draft.channel != HOTLINE_CHANNEL:
        message = f"the hotline centre files cases of the {HOTLINE_CHANNEL} channel"
        raise BadUserInput(message, argument="input.channel")
    place = _place_filed(principal, draft)
    parties = _parties(context, draft.parties)
    case_report = CaseReport(
        place_code=place,
        kind=checked_code(draft.kind, Vocabulary.CASE_KIND, "input.kind") or "",
        category=checked_code(draft.category, Vocabulary.CASE_CATEGORY, "input.category") or "",
        severity=checked_code(draft.severity, Vocabulary.SEVERITY, "input.severity") or "",
        channel=checked_code(draft.channel, Vocabulary.CHANNEL, "input.channel") or "",
        title=text(draft.title, "title", required=True) or "",
        description=text(draft.description, "description"),
        ten_no_item=checked_code(draft.ten_no_item, Vocabulary.TEN_NO_ITEM, "input.tenNoItem"),
        reporter_id=_reporter(principal, draft.reporter),
        parties=parties.named,
        new_parties=parties.new,
        actor=actor_of(principal),
        at=now(),
        note=text(draft.note, "note"),
        level=CaseLevel.DISTRICT if hotline or draft.grid is None else CaseLevel.GRID,
    )
    # The fingerprint leaves clear ID-card numbers out: new persons count by their blind index.
    arguments = {
        **{name: value for name, value in vars(draft).items() if name != "parties"},
        "parties": parties.fingerprint(),
    }
    claim = claim_for(principal, CaseAction.REPORT.value, idempotency_key, arguments)
    rules = load_policy().workflow
    authorize(principal, place)  # after the input checks, as an unknown grid would be
    scope = principal.scope_codes
    with client_errors(new_persons=parties.arguments):
        return await case_commands.report_case(context.graph, case_report, rules, claim, scope)
