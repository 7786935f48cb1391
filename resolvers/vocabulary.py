"""Codes that are local policy (graph/policy.toml): a filter naming an unknown code is refused.

Refusing is kinder than an empty list: a misspelt category would otherwise look like "no
cases". The error lists the codes that exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from graph.policy import load_policy
from resolvers.errors import BadUserInput


class HasCode(Protocol):
    """A policy entry: every kind has a stable code."""

    @property
    def code(self) -> str: ...


class Vocabulary(StrEnum):
    """A list of codes from the policy file."""

    CASE_KIND = "case kind"
    CASE_CATEGORY = "case category"
    SEVERITY = "severity"
    CHANNEL = "channel"
    COLOUR_LABEL = "colour label"
    KEY_PERSON_TAG = "key-person tag"
    TEN_NO_ITEM = "ten-no item"


def codes(vocabulary: Vocabulary) -> frozenset[str]:
    """Every code of one vocabulary."""
    policy = load_policy()
    entries: dict[Vocabulary, Sequence[HasCode]] = {
        Vocabulary.CASE_KIND: policy.case_kinds,
        Vocabulary.CASE_CATEGORY: policy.case_categories,
        Vocabulary.SEVERITY: policy.severities,
        Vocabulary.CHANNEL: policy.channels,
        Vocabulary.COLOUR_LABEL: policy.colour_labels,
        Vocabulary.KEY_PERSON_TAG: policy.key_person_tags,
        Vocabulary.TEN_NO_ITEM: policy.ten_no_items,
    }
    return frozenset(entry.code for entry in entries[vocabulary])


def checked_code(value: str | None, vocabulary: Vocabulary, argument: str) -> str | None:
    """The value when it is a known code (or None); otherwise BAD_USER_INPUT naming the codes."""
    if value is None:
        return None
    known = codes(vocabulary)
    if value not in known:
        raise BadUserInput(
            f"unknown {vocabulary.value} {value!r}; known: {', '.join(sorted(known))}",
            argument=argument,
        )
    return value
