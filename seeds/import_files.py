"""Partners' files: CSV (with a header row) or JSON Lines, read row by row with line numbers."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)


class UnsupportedFile(ValueError):
    """The file's type cannot be imported."""


@dataclass(frozen=True)
class SourceRow:
    """One row of the file: its 1-based line number, its fields, or why it could not be read."""

    line: int
    fields: dict[str, Any]
    unreadable: str | None = None


def read_rows(path: Path) -> Iterator[SourceRow]:
    """Rows of a .csv or .jsonl/.ndjson file, streamed (the file is never held whole)."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        yield from _read_csv(path)
    elif suffix in JSON_LINES_SUFFIXES:
        yield from _read_json_lines(path)
    else:
        raise UnsupportedFile(
            f"{path.name}: expected one of {', '.join(CSV_SUFFIXES + JSON_LINES_SUFFIXES)}"
        )


def _read_csv(path: Path) -> Iterator[SourceRow]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            if None in record:
                yield SourceRow(reader.line_num, {}, "more cells than header columns")
                continue
            # Empty or missing cells mean "no value".
            fields = {
                key.strip(): (value.strip() or None) if isinstance(value, str) else None
                for key, value in record.items()
            }
            yield SourceRow(reader.line_num, fields)


def _read_json_lines(path: Path) -> Iterator[SourceRow]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                yield SourceRow(number, {}, f"not valid JSON: {error.msg}")
                continue
            if not isinstance(value, dict):
                yield SourceRow(number, {}, "expected a JSON object")
                continue
            yield SourceRow(number, value)
