"""Parsed and validated documents, kept per document text.

The apps send the same few documents again and again; parsing them, reading their tokens
(schema/input_bounds.TokenBounds) and validating them with the abuse-limit rules
(schema/limits.py) cost about 3 ms of CPU per request (docs/benchmarks.md). None of that
depends on the request: only on the document's text, the schema and its limits. So a
document that passed all of it is kept here, keyed by its text, and the next request with the
same text skips straight to what does depend on the request (variables' bounds, the cost
budget with the variables, a partner's agreement, execution).

Only documents that passed are kept: a refused document goes through every check again, so
its error is built, coded and audited exactly as on the first request. The cache is bounded
in entries and in the length of the texts it keeps (a valid document can be up to
`max_tokens` long; a few hundred of those are still only a few megabytes of syntax trees).
One instance per schema: the limits and the production rules are part of what was checked.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

DEFAULT_ENTRIES = 256
DEFAULT_LONGEST_TEXT = 16_384  # characters; longer documents are checked on every request


class DocumentCache:
    """Least-recently-used map from a document's text to its parsed, validated syntax tree."""

    def __init__(
        self, entries: int = DEFAULT_ENTRIES, longest_text: int = DEFAULT_LONGEST_TEXT
    ) -> None:
        self.entries = entries
        self.longest_text = longest_text
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, text: str) -> DocumentNode | None:
        document = self._documents.get(text)
        if document is None:
            self.misses += 1
            return None
        self._documents.move_to_end(text)
        self.hits += 1
        return document

    def keep(self, text: str, document: DocumentNode) -> None:
        if len(text) > self.longest_text or self.entries <= 0:
            return
        self._documents[text] = document
        self._documents.move_to_end(text)
        while len(self._documents) > self.entries:
            self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


class PreparedDocuments(SchemaExtension):
    """Serves a known document without parsing or validating it again; keeps a new one once it
    has passed parsing and every validation rule.

    Must come before the extensions that parse or validate (TokenBounds, EarlyValidation):
    they act only while the document is unknown (`graphql_document` unset) or unvalidated
    (`pre_execution_errors` unset), and a hit sets both (no errors)."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache
        self.hit = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            document = self.cache.get(context.query)
            if document is not None:
                context.graphql_document = document
                self.hit = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.hit:
            context.pre_execution_errors = []  # validated when it was kept
        yield
        if (
            not self.hit
            and context.pre_execution_errors == []
            and context.graphql_document is not None
            and context.query
        ):
            self.cache.keep(context.query, context.graphql_document)
