"""Who may keep residents current, the argument checks, and the graph's refusals as client errors
(graph/resident_commands.py, graph/households.py).

Grid workers change residents of their own grids, community and street officers those of
their places, admins and developers anyone; every other role (partners, investigators, the
hotline centre, departments) is FORBIDDEN. A person, grid or household out of scope is
NOT_FOUND exactly as an unknown one; a stale `expectedVersion` is CONFLICT with the current
version; idempotency keys work as for the case workflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from graph import case_commands, resident_commands
from graph.key_persons import grade_codes
from graph.personal_data import (
    Identifier,
    id_card_problem,
    is_valid_phone,
    mask_phone,
    normalize_id_card,
    normalize_phone,
    person_id,
    protect_person_identifiers,
)
from graph.resident_commands import Editor, LabelEdit, NewResident, ResidentChange
from graph.residents import Departure, LabelField
from resolvers.case_mutations import claim_for, now, text
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Conflict, Forbidden, NotFound
from resolvers.principal import Principal, Role
from resolvers.vocabulary import Vocabulary, checked_code

# Roles that keep the graph of residents current (their scope decides where).
KEEPING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.DEVELOPER,
        Role.GRID_WORKER,
        Role.COMMUNITY_OFFICER,
        Role.STREET_OFFICER,
    }
)
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_REASON = 1000
MAX_TAGS = 10


def editor_of(principal: Principal) -> Editor:
    """FORBIDDEN unless the role keeps residents; the editor (subject, person, scope, now)."""
    if principal.role not in KEEPING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not change residents")
    return Editor(principal.subject, principal.person_id, principal.scope_codes, now())


def bounded(value: str | None, argument: str, limit: int, required: bool = False) -> str | None:
    """Trimmed text within `limit` characters; blank is None (BAD_USER_INPUT if required)."""
    value = (value or "").strip() or None
    if value is None and required:
        raise BadUserInput(f"{argument} must not be blank", argument=argument)
    if value is not None and len(value) > limit:
        raise BadUserInput(f"{argument} is longer than {limit} characters", argument=argument)
    return value


def checked_day(value: date | None, argument: str) -> date:
    """The day given (today, China time, when none); BAD_USER_INPUT if in the future."""
    today = now().date()
    day = value or today
    if day > today or day.year < 1900:
        raise BadUserInput(f"{argument} must be a past day (not after {today})", argument=argument)
    return day


def checked_version(expected: int | None) -> int | None:
    """An expectedVersion, which must not be negative."""
    if expected is not None and expected < 0:
        raise BadUserInput("expectedVersion must not be negative", argument="expectedVersion")
    return expected


def checked_grid(grid: str, building: str | None) -> None:
    """BAD_USER_INPUT unless a 15-digit grid code and (if any) an 18-digit building code."""
    if not (len(grid) == 15 and grid.isdigit()):
        raise BadUserInput("grid must be a 15-digit grid code", argument="grid")
    if building is not None and not (len(building) == 18 and building.isdigit()):
        raise BadUserInput("building must be an 18-digit building code", argument="building")


def protected_phone(context: RequestContext, person: str, phone: str) -> dict[str, object]:
    """The stored properties of a corrected phone number, bound to the person's id (blind
    index, ciphertext, masked form: as the importer stores them)."""
    if not is_valid_phone(phone):
        message = "phone must be an 11-digit mainland mobile number"
        raise BadUserInput(message, argument="phone")
    key = context.personal_data_key
    mobile = normalize_phone(phone)
    return {
        "phoneHash": key.blind_index(Identifier.PHONE, mobile),
        "phoneCipher": key.encrypt(Identifier.PHONE, mobile, person),
        "phoneMasked": mask_phone(mobile),
    }


@contextmanager
def resident_errors() -> Iterator[None]:
    """The graph's refusals as client errors with stable codes."""
    try:
        yield
    except resident_commands.Unknown as missing:
        raise NotFound(str(missing), argument=missing.argument, keys=[missing.key]) from None
    except resident_commands.StaleVersion as stale:
        raise Conflict(
            f"{stale}; read it again",
            what=stale.what,
            key=stale.key,
            expectedVersion=stale.expected,
            currentVersion=stale.current,
        ) from None
    except case_commands.PersonOutOfScope:
        raise Forbidden(
            "input.idCard: this ID-card number is registered to a person outside your scope;"
            " ask someone whose scope covers that person to move them",
            argument="input.idCard",
        ) from None
    except case_commands.KeyReused as reused:
        raise BadUserInput(str(reused), argument="idempotencyKey") from None
    except case_commands.CommandRefused as refused:
        raise BadUserInput(str(refused), argument=refused.argument) from None


@dataclass(frozen=True)
class ResidentDraft:
    """registerResident's input."""

    name: str
    id_card: str
    phone: str | None
    grid: str
    building: str | None
    address: str | None
    since: date | None
    colour_label: str | None
    tags: list[str]


def checked_tags(tags: list[str], argument: str) -> tuple[str, ...]:
    """Key-person tag codes of policy.toml, each once."""
    if len(tags) > MAX_TAGS:
        raise BadUserInput(f"at most {MAX_TAGS} tags", argument=argument)
    codes = [checked_code(tag, Vocabulary.KEY_PERSON_TAG, argument) or "" for tag in tags]
    return tuple(sorted(set(codes)))


async def register(
    context: RequestContext, draft: ResidentDraft, idempotency_key: str | None
) -> ResidentChange:
    """Register a new resident (ID card and phone validated, stored only protected)."""
    editor = editor_of(context.principal)
    name = bounded(draft.name, "input.name", MAX_NAME, required=True) or ""
    number = normalize_id_card(draft.id_card)
    if problem := id_card_problem(number):
        raise BadUserInput(f"ID-card number {problem}", argument="input.idCard")
    if draft.phone is not None and not is_valid_phone(draft.phone):
        message = "phone must be an 11-digit mainland mobile number"
        raise BadUserInput(message, argument="input.phone")
    checked_grid(draft.grid, draft.building)
    protected = protect_person_identifiers(context.personal_data_key, number, draft.phone)
    new = NewResident(
        id=person_id(str(protected["idCardHash"])),
        name=name,
        gender="male" if int(number[16]) % 2 else "female",  # GB 11643: the 17th digit
        birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        protected=protected,
        grid=draft.grid,
        building=draft.building,
        address=bounded(draft.address, "input.address", MAX_ADDRESS),
        since=checked_day(draft.since, "input.since"),
        colour_label=checked_code(draft.colour_label, Vocabulary.COLOUR_LABEL, "colourLabel"),
        tags=checked_tags(draft.tags, "input.tags"),
    )
    # The fingerprint holds the person by blind index, never the clear number or phone.
    arguments = {**vars(draft), "id_card": new.id, "phone": protected["phoneHash"]}
    claim = claim_for(context.principal, "register_resident", idempotency_key, arguments)
    with resident_errors():
        return await resident_commands.register(context.graph, new, editor, claim)


async def move(
    context: RequestContext,
    person: str,
    grid: str,
    building: str | None,
    address: str | None,
    since: date | None,
    expected_version: int | None,
    idempotency_key: str | None,
) -> ResidentChange:
    """Move a resident to another grid, building or address (history kept)."""
    editor = editor_of(context.principal)
    checked_grid(grid, building)
    where = bounded(address, "address", MAX_ADDRESS)
    day = checked_day(since, "since")
    expected = checked_version(expected_version)
    arguments: dict[str, object] = {"person": person, "grid": grid, "building": building}
    arguments |= {"address": where, "since": day, "expectedVersion": expected}
    claim = claim_for(context.principal, "move_resident", idempotency_key, arguments)
    with resident_errors():
        return await resident_commands.move(
            context.graph, person, grid, building, where, day, editor, expected, claim
        )


async def depart(
    context: RequestContext,
    person: str,
    why: Departure,
    on: date | None,
    note: str | None,
    expected_version: int | None,
    idempotency_key: str | None,
) -> ResidentChange:
    """Record a resident's departure or death."""
    editor = editor_of(context.principal)
    day = checked_day(on, "on")
    remark = bounded(note, "note", MAX_REASON)
    expected = checked_version(expected_version)
    arguments = {"person": person, "why": why.value, "on": day, "note": remark}
    claim = claim_for(context.principal, "record_departure", idempotency_key, arguments)
    with resident_errors():
        return await resident_commands.depart(
            context.graph, person, why, day, remark, editor, expected, claim
        )


async def correct(
    context: RequestContext,
    person: str,
    name: str | None,
    address: str | None,
    phone: str | None,
    expected_version: int | None,
    idempotency_key: str | None,
) -> ResidentChange:
    """Correct a resident's name, address or phone (given fields only)."""
    editor = editor_of(context.principal)
    details: dict[str, object] = {
        "name": bounded(name, "name", MAX_NAME),
        "address": bounded(address, "address", MAX_ADDRESS),
        "phone": phone is not None,
        "phoneHash": None,
        "phoneCipher": None,
        "phoneMasked": None,
    }
    if phone is not None:
        details.update(protected_phone(context, person, phone))
    if details["name"] is None and details["address"] is None and phone is None:
        raise BadUserInput("give name, address or phone to correct", argument="person")
    expected = checked_version(expected_version)
    arguments = {**details, "person": person, "expectedVersion": expected}
    arguments.pop("phoneCipher")
    claim = claim_for(context.principal, "correct_resident", idempotency_key, arguments)
    with resident_errors():
        return await resident_commands.correct(
            context.graph, person, details, editor, expected, claim
        )


async def change_labels(
    context: RequestContext,
    person: str,
    colour_label: str | None,
    clear_colour: bool,
    tags: list[str] | None,
    grade: str | None,
    reason: str,
    expected_version: int | None,
    idempotency_key: str | None,
) -> ResidentChange:
    """Change a person's 六色 colour label, key-person tags and grade, with a reason."""
    editor = editor_of(context.principal)
    why = text(reason, "reason", required=True) or ""
    edits: list[LabelEdit] = []
    if colour_label is not None and clear_colour:
        raise BadUserInput("give colourLabel or clearColourLabel, not both", argument="colourLabel")
    if colour_label is not None or clear_colour:
        code = checked_code(colour_label, Vocabulary.COLOUR_LABEL, "colourLabel")
        edits.append(LabelEdit(LabelField.COLOUR, () if code is None else (code,)))
    if tags is not None:
        edits.append(LabelEdit(LabelField.TAGS, checked_tags(tags, "tags")))
    if grade is not None:
        if grade not in grade_codes():
            known = ", ".join(grade_codes())
            message = f"unknown key-person grade; expected one of {known}"
            raise BadUserInput(message, argument="grade")
        edits.append(LabelEdit(LabelField.KEY_GRADE, (grade,)))
    if not edits:
        raise BadUserInput("give colourLabel, clearColourLabel, tags or grade", argument="person")
    expected = checked_version(expected_version)
    arguments: dict[str, object] = {"person": person, "reason": why}
    arguments |= {"edits": [[e.field.value, *e.after] for e in edits], "expectedVersion": expected}
    claim = claim_for(context.principal, "change_labels", idempotency_key, arguments)
    with resident_errors():
        return await resident_commands.change_labels(
            context.graph, person, edits, why, editor, expected, claim
        )
