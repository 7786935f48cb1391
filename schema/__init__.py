"""Strawberry types and the assembled GraphQL schema."""

from __future__ import annotations

import strawberry

from schema.query import Query


def build_schema() -> strawberry.Schema:
    """The GraphQL schema of the service."""
    return strawberry.Schema(query=Query)
