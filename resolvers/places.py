"""Resolvers of the administrative tree: lookups by code and walks up and down it."""

from __future__ import annotations

import re

from graph import places
from graph.places import PlaceLevel
from graph.traversal import Hop, Row
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, NotFound
from resolvers.reads import lookup
from resolvers.relations import Context

# Codes nest: district 6 digits, street 9, community 12, grid 15.
LEVEL_BY_CODE_LENGTH = {
    6: PlaceLevel.DISTRICT,
    9: PlaceLevel.STREET,
    12: PlaceLevel.COMMUNITY,
    15: PlaceLevel.GRID,
}
CODE_LENGTH_BY_LEVEL = {level: length for length, level in LEVEL_BY_CODE_LENGTH.items()}
_DIGITS = re.compile(r"^\d+$")


def level_of(code: str, argument: str = "code") -> PlaceLevel:
    """The level a place code belongs to, or BAD_USER_INPUT."""
    level = LEVEL_BY_CODE_LENGTH.get(len(code))
    if level is None or not _DIGITS.match(code):
        raise BadUserInput(
            f"{code!r} is not a place code (6, 9, 12 or 15 digits)", argument=argument
        )
    return level


async def place(context: RequestContext, level: PlaceLevel, code: str) -> Row:
    """The place of this level with this code, or NOT_FOUND."""
    if level_of(code) is not level:
        raise BadUserInput(f"{code!r} is not a {level.value.lower()} code", argument="code")
    row = await context.loaders.node(places.NODE_BY_LEVEL[level], code)
    if row is None:
        raise NotFound(f"no {level.value.lower()} with code {code}", placeCode=code)
    return row


async def place_field(info: Context, level: PlaceLevel, code: str) -> Row:
    """`place` for a root field: the place and the relationship fields under it in one query."""
    if level_of(code) is not level:
        raise BadUserInput(f"{code!r} is not a {level.value.lower()} code", argument="code")
    row = await lookup(info, places.NODE_BY_LEVEL[level], code)
    if row is None:
        raise NotFound(f"no {level.value.lower()} with code {code}", placeCode=code)
    return row


async def checked_place_prefix(context: RequestContext, code: str | None) -> str:
    """A place filter as a grid-code prefix ('' for everywhere); unknown places: NOT_FOUND."""
    if code is None:
        return ""
    await place(context, level_of(code, "place"), code)
    return code


async def all_districts(context: RequestContext) -> list[Row]:
    """Every district the principal may see (inside or above its scope), by code."""
    return await places.list_districts(context.graph, context.principal.scope_codes)


async def related(context: RequestContext, hop: Hop, key: str) -> list[Row]:
    """The places over `hop` from the place `key` (children by code, or the parent)."""
    return [neighbour.node for neighbour in await context.loaders.neighbours(hop, key)]
