"""Full-text search over names, titles and addresses.

Two indexes (graph/migrations.py): `search_text` (cjk analyser: Chinese split into bigrams,
so a two-character query finds a three-character name) and `search_chars` (every character
of names and titles its own term). A text whose words are all one character long (a surname
such as 王, a place or case word such as 村 or 水) goes to `search_chars`, since the cjk
analyser has no bigram to match it with; any other text to `search_text`.

Ranking, the same for both: an exact name (a case's title) first, then names starting with
the text, then names holding it, then the rest (address hits); within each, by Lucene score,
then label and key, so that equal scores come back in one order.

The user's text is a literal, never Lucene syntax: `lucene_literal` escapes every operator
character and neutralises the operator words, so a name holding `*` or `:` can neither break
the query nor widen it. Which labels are searched and what a reader gets of each hit come
from `NodeSpec` constants (persons: never a blind index or a ciphertext); the Cypher is built
from them once per set of specs, and the user's values go in as $parameters.

Row scope: for a scoped principal each hit must also be visible within `$scope` by its
label's rule (graph/scope.py), checked before LIMIT so that the hits, their order and their
number are those of the scope alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, LiteralString

from graph import scope as row_scope
from graph.client import GraphClient
from graph.migrations import FULLTEXT_INDEX, FULLTEXT_LABELS, SHORT_TEXT_INDEX
from graph.traversal import NodeSpec, PartialRow, Row, Scope, scope_params

# Lucene classic query syntax: + - && || ! ( ) { } [ ] ^ " ~ * ? : \ /
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
# Upper-case AND / OR / NOT are operators; the analyser lower-cases every token anyway.
_LUCENE_WORDS = frozenset({"AND", "OR", "NOT"})


def lucene_literal(text: str) -> str:
    """The text as a Lucene query that means exactly its words (operators escaped)."""
    escaped = _LUCENE_SPECIAL.sub(r"\\\1", text.strip())
    return " ".join(word.lower() if word in _LUCENE_WORDS else word for word in escaped.split())


def index_for(text: str) -> str:
    """The index that can match `text`: `search_chars` when every word is one character."""
    words = text.split()
    return SHORT_TEXT_INDEX if words and all(len(word) == 1 for word in words) else FULLTEXT_INDEX


# The property ranked as a label's name: its name, or a case's title.
_NAME_PROPERTIES = ("name", "title")


def _name_of(spec: NodeSpec, var: str) -> str:
    readable = (spec.key, *spec.properties)
    name = next((p for p in _NAME_PROPERTIES if p in readable), None)
    return f"{var}.{name}" if name else "null"


def _searchable(spec: NodeSpec) -> NodeSpec:
    if spec.label not in FULLTEXT_LABELS:
        raise ValueError(f"{spec.label} is not in the full-text index {FULLTEXT_INDEX}")
    return spec


# Per label, the properties a selection reads of its hits (None or no entry: all of them).
Reads = tuple[tuple[str, frozenset[str] | None], ...]


@cache
def search_query(
    specs: tuple[NodeSpec, ...], scoped: bool = False, reads: Reads = ()
) -> LiteralString:
    """Hits of `$index` for `$query` among the labels of `specs`: one row whose `hits` are maps
    (label, key, node, score), best first (one row: the driver decodes one record, not 100).

    `$labels` narrows the search to some of them; `node` is the label's projection. Ranked by
    how the hit's name compares with `$text` (equal, starts with, holds it, neither), then by
    score. Scoped: only hits visible within `$scope`. `reads`: project only those properties
    of a label's hits (the key always).
    """
    only = dict(reads)
    checked = [_searchable(spec) for spec in specs]
    labels = ", ".join(f"'{spec.label}'" for spec in checked)
    keys = " ".join(f"WHEN '{s.label}' THEN hit.{s.key}" for s in checked)
    names = " ".join(f"WHEN '{s.label}' THEN {_name_of(s, 'hit')}" for s in checked)
    rows = " ".join(
        f"WHEN '{s.label}' THEN {s.projection('hit', only.get(s.label))}" for s in checked
    )
    visible = " ".join(
        f"WHEN '{s.label}' THEN {row_scope.visible(s.label, 'hit')}" for s in checked
    )
    in_scope = f" AND CASE label {visible} ELSE false END" if scoped else ""
    text = (
        "CALL db.index.fulltext.queryNodes($index, $query) YIELD node AS hit, score\n"
        f"WITH hit, score, [l IN labels(hit) WHERE l IN [{labels}] AND l IN $labels][0] AS label\n"
        f"WHERE label IS NOT NULL{in_scope}\n"
        f"WITH hit, score, label, CASE label {keys} END AS key, CASE label {names} END AS name\n"
        "WITH hit, score, label, key, CASE WHEN name = $text THEN 0"
        " WHEN name STARTS WITH $text THEN 1 WHEN name CONTAINS $text THEN 2 ELSE 3 END AS rank\n"
        "ORDER BY rank, score DESC, label, key\n"
        "LIMIT $limit\n"
        f"RETURN collect({{label: label, key: key, node: CASE label {rows} END, score: score}})"
        " AS hits"
    )
    return text  # built only from NodeSpec constants, never from input


@dataclass(frozen=True)
class SearchHit:
    """One node found, with its label, its readable properties and its relevance."""

    label: str
    node: Row
    score: float


async def search(
    graph: GraphClient,
    specs: Sequence[NodeSpec],
    labels: Sequence[str],
    text: str,
    limit: int,
    scope: Scope = None,
    reads: Reads = (),
) -> list[SearchHit]:
    """The best `limit` hits for `text` among `labels` (a subset of the specs'), best first;
    with a scope, only the hits visible within it. A label given properties in `reads`
    projects only those (and its key); the others read as None (`PartialRow`)."""
    text = text.strip()
    params: dict[str, Any] = {
        "index": index_for(text),
        "query": lucene_literal(text),
        "text": text,
        "labels": list(labels),
        "limit": limit,
        **scope_params(scope),
    }
    narrowed = {label for label, properties in reads if properties is not None}
    [row] = await graph.read(search_query(tuple(specs), scope is not None, reads), params)
    return [
        SearchHit(
            hit["label"],
            PartialRow(hit["node"]) if hit["label"] in narrowed else hit["node"],
            float(hit["score"]),
        )
        for hit in row["hits"]
    ]
