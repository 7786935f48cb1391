"""Neo4j access: the driver, Cypher constants and the read/write functions of each domain.

This package knows nothing of GraphQL or HTTP.
"""
