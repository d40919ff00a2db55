"""The Pregel runner, weighted PageRank and the engine switch, on tiny inline graphs."""

from __future__ import annotations

import os

import networkx as nx
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from transforms.graph.components import connected_components
from transforms.graph.engine import GraphEngineUnavailable, graphframes_jvm_loaded, resolve_engine
from transforms.graph.pagerank import PageRankSettings, normalized_out_weights, weighted_pagerank
from transforms.graph.pregel import (
    PregelProgram,
    VertexColumn,
    initial_state,
    iteration_step,
    keyed_edges,
    msg,
    previous,
    run_pregel,
    runner_conf,
    src,
)

# alpha 0.5 converges in a few dozen iterations on these graphs (0.85 needs a hundred
# more); the real-data test checks 0.85.
ALPHA = 0.5
EXACT = PageRankSettings(alpha=ALPHA, tol=1e-12, max_iter=200)
# 1 <-> 3 and 2 -> 3 weighted, 4 feeds the cycle, 5 loops on itself, 6 is isolated and
# dangling, 2 also points at 6 (so 6 is dangling but reached).
EDGES = [(1, 2, 1.0), (2, 3, 2.0), (3, 1, 1.0), (1, 3, 3.0), (4, 1, 1.0), (5, 5, 1.0), (2, 6, 0.5)]


def graph(spark, edges=EDGES, ids=range(1, 8), priors=None):
    rows = [(i, priors[i]) if priors else (i,) for i in ids]
    vertices = spark.createDataFrame(rows, "id long, prior double" if priors else "id long")
    return vertices, spark.createDataFrame(edges, "src long, dst long, weight double")


def reference(edges=EDGES, ids=range(1, 8), personalization=None):
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_weighted_edges_from(edges)
    return nx.pagerank(g, alpha=ALPHA, personalization=personalization, weight="weight", tol=1e-15, max_iter=2000)


def ranks_of(run):
    return {row["id"]: row["rank"] for row in run.vertices.collect()}


def test_influence_mass_is_own_weight_plus_what_engagers_pass_on_and_ignores_unrelated_vertices(spark):
    # 1 -> 2 -> 3 and 4 -> 3 (weights split 4's engagement 1:3 between 3 and 5).
    chain = [(1, 2, 1.0), (2, 3, 1.0), (4, 3, 1.0), (4, 5, 3.0)]
    alone = weighted_pagerank(*graph(spark, chain, range(1, 6)), EXACT)
    mass = {row["id"]: row["mass"] for row in alone.vertices.collect()}
    expected = {1: 1.0, 2: 1.5, 4: 1.0, 3: 1.0 + ALPHA * 1.5 + ALPHA * 0.25, 5: 1.0 + ALPHA * 0.75}
    assert mass == pytest.approx(expected, abs=1e-9)
    # An unrelated community joins: ranks (a share of the whole) move, masses do not.
    joined = chain + [(10 + i, 10 + (i + 1) % 7, 1.0) for i in range(7)]
    together = weighted_pagerank(*graph(spark, joined, [*range(1, 6), *range(10, 17)]), EXACT)
    rows = {row["id"]: row for row in together.vertices.collect()}
    assert {v: rows[v]["mass"] for v in expected} == pytest.approx(expected, abs=1e-9)
    assert rows[3]["rank"] < ranks_of(alone)[3] / 2


def test_weighted_pagerank_equals_networkx_with_dangling_self_loops_and_isolated_vertices(spark):
    run = weighted_pagerank(*graph(spark), EXACT)
    got, expected = ranks_of(run), reference()
    assert run.converged and run.engine == "dataframe"
    assert got.keys() == expected.keys()
    for vertex, rank in expected.items():
        assert got[vertex] == pytest.approx(rank, abs=1e-11), vertex
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-12)


def test_a_prior_steers_teleport_and_dangling_mass_as_networkx_personalization(spark):
    priors = {1: 1.0, 2: 0.0, 3: 0.0, 4: 3.0, 5: 0.0, 6: 1.0, 7: 5.0}
    got = ranks_of(weighted_pagerank(*graph(spark, priors=priors), EXACT))
    expected = reference(personalization=priors)
    for vertex, rank in expected.items():
        assert got[vertex] == pytest.approx(rank, abs=1e-11), vertex


def test_out_weights_sum_to_one_parallel_edges_add_up_and_weightless_edges_go(spark):
    edges = spark.createDataFrame([(1, 2, 1.0), (1, 2, 2.0), (1, 3, 1.0), (1, 4, 0.0), (2, 3, None)], "src long, dst long, weight double")
    expected = spark.createDataFrame([(1, 2, 0.75), (1, 3, 0.25)], "src long, dst long, weight double")
    assert_df_equality(normalized_out_weights(edges), expected, ignore_row_order=True, ignore_nullable=True)


def test_pagerank_stops_at_max_iter_when_it_has_not_converged_and_checkpoints_as_asked(spark):
    run = weighted_pagerank(*graph(spark), PageRankSettings(alpha=ALPHA, tol=1e-13, max_iter=3, checkpoint_interval=2))
    assert (run.iterations, run.converged, len(run.history)) == (3, False, 3)
    assert run.history[0] > run.history[1] > run.history[2] > 1e-13


def test_edges_to_unknown_vertices_are_dropped(spark):
    # 9 is no vertex (a bot removed before the graph): 1's weight goes all to 2.
    vertices, edges = graph(spark, edges=[(1, 2, 1.0), (1, 9, 5.0), (2, 1, 1.0)], ids=[1, 2])
    got = ranks_of(weighted_pagerank(vertices, edges, EXACT))
    assert got == pytest.approx({1: 0.5, 2: 0.5}, abs=1e-12)


def hop_distance_program(max_iterations):
    """Hops from vertex 1 along edges both ways (messages to dst and to src)."""
    reached = F.when(F.col("id") == 1, F.lit(0))
    return PregelProgram(
        columns=(VertexColumn("hops", reached, F.least(F.col("hops"), msg())),),
        aggregate=F.min(msg()),
        to_dst=src("hops") + 1,
        to_src=F.col("dst.hops") + 1,
        src_columns=("hops",),
        dst_columns=("hops",),
        max_iterations=max_iterations,
        convergence=F.sum(F.when(~F.col("hops").eqNullSafe(previous("hops")), 1).otherwise(0)),
    )


def test_runner_sends_both_ways_keeps_vertex_columns_and_stops_when_nothing_changes(spark):
    vertices = spark.createDataFrame([(i, f"v{i}") for i in range(1, 7)], "id long, name string")
    edges = spark.createDataFrame([(1, 2), (3, 2), (3, 4), (5, 4)], "src long, dst long")
    run = run_pregel(vertices, edges, hop_distance_program(20))
    expected = spark.createDataFrame(
        [(1, "v1", 0), (2, "v2", 1), (3, "v3", 2), (4, "v4", 3), (5, "v5", 4), (6, "v6", None)], "id long, name string, hops int"
    )
    assert_df_equality(run.vertices, expected, ignore_row_order=True, ignore_nullable=True)
    # Four iterations reach vertex 5; the fifth changes nothing and ends the run.
    assert (run.iterations, run.converged, run.history) == (5, True, (1.0, 1.0, 1.0, 1.0, 0.0))


def test_an_iteration_shuffles_only_its_messages(spark):
    """Edges and state are partitioned alike, so joining them (and the aggregate back)
    needs no exchange: the one shuffle of an iteration is the messages'."""
    vertices, edges = graph(spark)
    program = PregelProgram(
        columns=(VertexColumn("rank", F.lit(1.0), F.coalesce(msg(), F.lit(0.0))),),
        aggregate=F.sum(msg()),
        to_dst=src("rank") * F.col("edge.weight"),
        src_columns=("rank",),
        edge_columns=("weight",),
    )
    with runner_conf(spark, partitions=2):
        state = initial_state(vertices, program, 2).localCheckpoint(eager=True)
        step = iteration_step(keyed_edges(edges, program, 2), state, program, [])
        plan = step._jdf.queryExecution().executedPlan().toString()
    assert plan.count("Exchange hashpartitioning") == 1, plan
    assert "SortMergeJoin" not in plan, plan


def test_a_program_must_send_something():
    with pytest.raises(ValueError, match="at least one message"):
        PregelProgram(columns=(), aggregate=F.sum(msg()))


def test_engine_dataframe_always_runs_and_auto_falls_back_without_the_jar(spark):
    assert resolve_engine(spark, "dataframe") == "dataframe"
    assert resolve_engine(spark, "auto") == ("graphframes" if graphframes_jvm_loaded(spark) else "dataframe")
    with pytest.raises(ValueError, match="engine must be one of"):
        resolve_engine(spark, "graphx")


def test_asking_for_graphframes_without_its_jar_says_how_to_add_it(spark):
    if graphframes_jvm_loaded(spark):
        assert resolve_engine(spark, "graphframes") == "graphframes"
        return
    with pytest.raises(GraphEngineUnavailable, match=r"--packages io\.graphframes:graphframes-spark4_2\.13:0\.12\.3"):
        resolve_engine(spark, "graphframes")


GRAPHFRAMES_JARS = os.environ.get("CLOUT_GRAPHFRAMES_JARS", "")


@pytest.mark.skipif(
    not GRAPHFRAMES_JARS,
    reason="GraphFrames' jar is not served here: set CLOUT_GRAPHFRAMES_JARS=/path/graphframes.jar[,graphx.jar] to run the parity test",
)
def test_graphframes_pregel_gives_the_same_pagerank_and_components(spark):
    vertices, edges = graph(spark)
    fixed = PageRankSettings(alpha=ALPHA, tol=0.0, max_iter=50)
    ours = ranks_of(weighted_pagerank(vertices, edges, fixed, "dataframe"))
    theirs = ranks_of(weighted_pagerank(vertices, edges, fixed, resolve_engine(spark, "graphframes")))
    assert theirs == pytest.approx(ours, abs=1e-12)
    undirected = spark.createDataFrame(
        [("x", "c", "d"), ("x", "b", "c"), ("x", "a", "b"), ("x", "e", "f"), ("y", "a", "z")], "platform string, src string, dst string"
    )
    assert_df_equality(
        connected_components(undirected, ("platform",), max_iterations=8, engine="graphframes"),
        connected_components(undirected, ("platform",), engine="dataframe"),
        ignore_row_order=True,
        ignore_nullable=True,
    )
