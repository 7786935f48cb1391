"""The Cypher text of a hop's condition (graph/traversal.py): optional filters and row scope.
Whether both texts read the same rows is the differential suite's to prove
(tests/schema/test_compiled_reads.py); these tests pin what each text says."""

from __future__ import annotations

from graph import cases, persons
from graph.compiled_read import Read, compile_read
from graph.traversal import Hop, NodeSpec

A = NodeSpec("A", "code", ())
B = NodeSpec("B", "id", ("name",))
FILTERED = Hop(
    A,
    "(s:A)-[r:TO]->(t:B)",
    B,
    where="r.until IS NULL",
    optional=(("name", "t.name = $name"), ("open", "t.open = $open")),
)


def test_without_values_every_optional_filter_passes_on_null() -> None:
    assert FILTERED.condition() == (
        "r.until IS NULL AND ($name IS NULL OR t.name = $name)"
        " AND ($open IS NULL OR t.open = $open)"
    )


def test_with_values_only_the_filters_that_are_set_are_written() -> None:
    assert FILTERED.condition({"name": None, "open": None}) == "r.until IS NULL"
    assert FILTERED.condition({"name": "x", "open": False}) == (
        "r.until IS NULL AND (t.name = $name) AND (t.open = $open)"
    )
    assert Hop(A, "(s:A)-[r:TO]->(t:B)", B).condition({"name": "x"}) == ""


def test_a_compiled_read_writes_only_the_set_filters_and_renames_them() -> None:
    read = Read(cases.CASES_IN_PLACE, paged=True, params={"kind": None, "open": True}, limit=5)
    text, params = compile_read(read, scoped=False)
    assert "$r1_open" in text and "IS NULL" not in text and "$r1_kind" not in text
    assert params["r1_open"] is True


def test_the_per_level_text_is_unchanged_for_every_parameter_value() -> None:
    # One text per hop for the batched loaders: the filters stay null-tolerant.
    text = cases.CASES_IN_PLACE.all_query()
    assert "($kind IS NULL OR t.kind = $kind)" in text
    assert "($overdue IS NULL OR coalesce(t.dueAt < $overdueAt, false) = $overdue)" in text


def test_a_target_visible_from_its_source_skips_its_own_test_for_sources_in_scope() -> None:
    clause = persons.RESIDENTS_IN_PLACE.match_clause(True)
    assert "(any(prefix IN $scope WHERE s.code STARTS WITH prefix) OR (EXISTS {" in clause
    # Hops without the declaration test the target alone.
    clause = persons.PERSON_FAMILY.match_clause(True)
    assert "s.id STARTS WITH prefix" not in clause and "EXISTS {" in clause
    assert "any(prefix IN $scope" not in persons.RESIDENTS_IN_PLACE.match_clause(False)


def test_an_unfiltered_total_reads_the_degree_and_a_filtered_one_walks() -> None:
    hop = persons.RESIDENTS_IN_PLACE
    unfiltered = {name: None for name, _ in hop.optional}
    assert hop.total_clause(False, unfiltered) == (
        "MATCH (s:Grid)\nWHERE s.code STARTS WITH key\n"
        "RETURN sum(COUNT { (s)<-[:RESIDES_IN]-() }) AS total"
    )
    # scoped: the degree for grids inside the scope, each visible resident for the others
    scoped = hop.total_clause(True, unfiltered)
    assert "CASE WHEN any(prefix IN $scope WHERE s.code STARTS WITH prefix)" in scoped
    assert "THEN COUNT { (s)<-[:RESIDES_IN]-() } ELSE COUNT { MATCH (s:Grid)" in scoped
    # a filter set, or the per-level text (every filter null-tolerant), walks the edges
    filtered = hop.total_clause(False, {**unfiltered, "name": "王"})
    assert filtered.endswith("RETURN count(*) AS total") and "COUNT {" not in filtered
    assert hop.total_clause(False).endswith("RETURN count(*) AS total")
    # a hop without a declared degree always walks
    assert FILTERED.total_clause(False, {}).endswith("RETURN count(*) AS total")
