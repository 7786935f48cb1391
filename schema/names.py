"""GraphQL names of Python names, remembered.

Strawberry converts a Python name to its GraphQL name (snake_case to camelCase) each time it
needs it, which is for every argument of every field it resolves: on a street's roll-up
(five communities and their grids, three connections each) that was 31,000 conversions per
150 requests, 4 % of the CPU. The names are a fixed, small set, so each is converted once.
"""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter


class RememberedNames(NameConverter):
    """Strawberry's naming rules, each name converted once per process."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._converted: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        converted = self._converted.get(name)
        if converted is None:
            converted = self._converted[name] = super().apply_naming_config(name)
        return converted
