"""Centrality and communities of the persons in a bounded dispute network (networkx).

The network is read with one Cypher query (graph/investigations.py, bounded by hops and a
node limit, and within the principal's row scope, so centralities and clusters never count
anyone outside it); persons are linked when they take part in the same case (as a party or
a handler, weighted by the number of shared cases) or are family.

networkx is CPU-bound and holds the GIL: the network is built and analysed in the CPU pool
(resolvers/cpu_pool.py), off the event loop and within a time limit (TIMEOUT past it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from graph.investigations import CentreKind
from graph.traversal import Row
from resolvers import cpu_pool
from resolvers.context import RequestContext
from resolvers.investigations import Subgraph, dispute_network_row, network_of

_CASE_LINKS = {"PARTY_TO", "HANDLED_BY"}
_COMMUNITY_SEED = 7  # Louvain is randomised: a fixed seed gives the same clusters each time


@dataclass(frozen=True)
class RankedPerson:
    """A person of the network with their centrality and cluster."""

    person_id: str
    name: str
    degree: int
    degree_centrality: float
    betweenness: float
    cluster: int


@dataclass(frozen=True)
class Cluster:
    """A community of persons (largest first)."""

    id: int
    size: int
    members: list[str]


@dataclass(frozen=True)
class Analysis:
    """Ranked persons and clusters of a network, and whether the network was cut."""

    persons: list[RankedPerson]
    clusters: list[Cluster]
    truncated: bool


def person_graph(network: Subgraph) -> nx.Graph[str]:
    """Persons as nodes, linked by shared cases (weight: how many) and by family."""
    people: nx.Graph[str] = nx.Graph()
    for node in network.nodes:
        if node.type == "Person":
            people.add_node(node.key, name=str(node.properties.get("name") or ""))
    involved: defaultdict[str, set[str]] = defaultdict(set)
    for edge in network.edges:
        ends = {edge.source.type: edge.source.key, edge.target.type: edge.target.key}
        if edge.type in _CASE_LINKS and {"Case", "Person"} <= ends.keys():
            involved[ends["Case"]].add(ends["Person"])
        elif edge.type == "FAMILY":
            people.add_edge(edge.source.key, edge.target.key)
            people.edges[edge.source.key, edge.target.key].setdefault("weight", 1)
    for members in involved.values():
        for a, b in combinations(sorted(members), 2):
            weight = people.edges[a, b]["weight"] + 1 if people.has_edge(a, b) else 1
            people.add_edge(a, b, weight=weight)
    return people


def analyse(network: Subgraph) -> Analysis:
    """Degree, betweenness and Louvain communities of the network's persons."""
    people = person_graph(network)
    if people.number_of_nodes() == 0:
        return Analysis([], [], network.truncated)
    betweenness = nx.betweenness_centrality(people, normalized=True)
    centrality = nx.degree_centrality(people)
    communities = nx.community.louvain_communities(people, weight="weight", seed=_COMMUNITY_SEED)
    ordered = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    cluster_of = {key: index for index, members in enumerate(ordered) for key in members}
    persons = [
        RankedPerson(
            person_id=key,
            name=people.nodes[key]["name"],
            degree=int(people.degree[key]),
            degree_centrality=float(centrality[key]),
            betweenness=float(betweenness[key]),
            cluster=cluster_of[key],
        )
        for key in people.nodes
    ]
    persons.sort(key=lambda p: (-p.betweenness, -p.degree, p.person_id))
    clusters = [Cluster(index, len(m), m) for index, m in enumerate(ordered)]
    return Analysis(persons, clusters, network.truncated)


def analyse_row(row: Row) -> Analysis:
    """`analyse` of a `dispute_network_row` (what a CPU pool worker runs)."""
    return analyse(network_of(row, exact_birth=False))


def slim(row: Row) -> Row:
    """Only what `analyse` reads (persons' names, edges' ends and types): less to send."""
    nodes = [
        {
            "element": item["element"],
            "node": {
                "type": item["node"]["type"],
                "key": item["node"]["key"],
                "properties": {"name": item["node"]["properties"].get("name")},
            },
        }
        for item in row["nodes"]
        if item["node"] is not None
    ]
    edges = [
        {key: edge[key] for key in ("id", "type", "source", "target")} | {"properties": {}}
        for edge in row["edges"]
    ]
    return {"nodes": nodes, "edges": edges, "truncated": row["truncated"]}


async def network_analysis(
    context: RequestContext, kind: CentreKind, key: str, hops: int, max_nodes: int
) -> Analysis:
    """Analyse the bounded dispute network around a person or case, in the CPU pool."""
    row = await dispute_network_row(context, kind, key, hops, None, None, None, max_nodes)
    return await cpu_pool.pool().run(analyse_row, slim(row))
