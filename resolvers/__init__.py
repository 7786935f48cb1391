"""Resolvers: what each GraphQL field does, in terms of graph/ functions and per-request loaders."""
