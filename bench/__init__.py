"""The GridGraph benchmark: GridGraph, a hand-written-Cypher floor and an @neo4j/graphql peer.

Run it with `make bench` (see docs/benchmarks.md); `python -m bench --help` lists the options.
"""
