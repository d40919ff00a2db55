"""Weighted PageRank (network influence) as a Pregel program.

The standard definition, as networkx's ``pagerank(G, alpha, personalization, weight)``:
each vertex passes ``alpha`` of its rank along its out-edges in proportion to their
weights, and ``1 - alpha`` teleports to a prior distribution ``p`` (uniform by default);
a dangling vertex (no out-edge) spreads its whole rank by the same prior.

The program iterates the equivalent linear system ``x = alpha * W^T x + (1 - alpha) * p``
in which dangling vertices simply leak their rank, and the ranks are ``x / sum(x)``. When
dangling mass is spread by the teleport prior the two have the same solution (Del Corso,
Gullí and Romani, "Fast PageRank computation via a sparse linear system", 2005): so no
iteration needs a separate job to add up the dangling mass, and the same program runs on
GraphFrames' Pregel unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from transforms.graph.pregel import ENGINE_DATAFRAME, PregelProgram, PregelRun, VertexColumn, edge, msg, previous, run_pregel, src


@dataclass(frozen=True)
class PageRankSettings:
    """How network influence is computed.

    Attributes:
        alpha: Damping factor (networkx's ``alpha``).
        tol: The run stops when the L1 change of the normalised ranks between two
            iterations is at most this.
        max_iter: Iterations after which it stops anyway.
        checkpoint_interval: Iterations between reliable checkpoints (0: local only).
        edges_per_partition: Most edges per partition of the runner.
    """

    alpha: float = 0.85
    tol: float = 1e-9
    max_iter: int = 100
    checkpoint_interval: int = 0
    edges_per_partition: int = 2_000_000


def normalized_out_weights(edges: DataFrame) -> DataFrame:
    """``(src, dst, weight)`` with parallel edges summed and each source's out-weights
    summing to 1; edges of weight 0 or less (or null) carry nothing and are dropped."""
    positive = edges.where(F.col("weight") > 0).groupBy("src", "dst").agg(F.sum("weight").alias("weight"))
    totals = positive.groupBy("src").agg(F.sum("weight").alias("_out_weight"))
    return positive.join(totals, "src").select("src", "dst", (F.col("weight") / F.col("_out_weight")).alias("weight"))


def pagerank_program(settings: PageRankSettings) -> PregelProgram:
    """The Pregel program over vertices ``(id, prior)``, ``prior`` summing to 1, and edges
    ``(src, dst, weight)`` with normalised out-weights; ``rank`` is not yet normalised."""
    teleport = F.lit(1.0 - settings.alpha) * F.col("prior")
    return PregelProgram(
        columns=(VertexColumn("rank", F.col("prior"), teleport + F.lit(settings.alpha) * F.coalesce(msg(), F.lit(0.0))),),
        aggregate=F.sum(msg()),
        to_dst=src("rank") * edge("weight"),
        src_columns=("rank",),
        edge_columns=("weight",),
        max_iterations=settings.max_iter,
        checkpoint_interval=settings.checkpoint_interval,
        # L1 change of the normalised ranks: both iterates scaled by the new total.
        convergence=F.sum(F.abs(F.col("rank") - previous("rank"))) / F.sum("rank"),
        tolerance=settings.tol,
    )


def _prior_weight(vertices: DataFrame) -> F.Column:
    # The ``prior`` column if there is one (non-positive or null weights count 0), else 1.
    return F.greatest(F.coalesce(F.col("prior").cast("double"), F.lit(0.0)), F.lit(0.0)) if "prior" in vertices.columns else F.lit(1.0)


def _prior_total(vertices: DataFrame) -> DataFrame:
    return vertices.agg(F.sum(_prior_weight(vertices)).alias("_prior_total"))


def with_prior(vertices: DataFrame) -> DataFrame:
    """``(id, prior)`` summing to 1: the ``prior`` column if there is one (non-positive or
    null weights count 0), else uniform."""
    weighted = vertices.select("id", _prior_weight(vertices).alias("_prior_weight"))
    return weighted.crossJoin(F.broadcast(_prior_total(vertices))).select("id", (F.col("_prior_weight") / F.col("_prior_total")).alias("prior"))


def weighted_pagerank(
    vertices: DataFrame,
    edges: DataFrame,
    settings: PageRankSettings = PageRankSettings(),
    engine: str = ENGINE_DATAFRAME,
) -> PregelRun:
    """Weighted PageRank of every vertex (see the module docstring for the definition).

    Runs Spark jobs: one per iteration (this function's purpose is the iteration).

    Args:
        vertices: ``id`` and optionally ``prior`` (teleport and dangling weight, any scale).
        edges: ``src, dst, weight``; endpoints missing from ``vertices`` are dropped.
        settings: Damping, tolerance, iterations.
        engine: ``dataframe`` or ``graphframes``.

    Returns:
        The run, whose ``vertices`` are ``(id, rank, mass)``: ``rank`` sums to 1;
        ``mass`` is the same solution in units of prior weight, ``mass_i = w_i + alpha *
        sum_j W_ji mass_j`` (``w`` the prior weights as given, 1 each by default, so a
        vertex nothing points at has mass 1). A vertex's mass depends only on the vertices
        with a path to it: unlike ``rank``, it does not move when unrelated vertices join.
    """
    ids = vertices.select("id")
    kept = edges.join(ids.withColumnRenamed("id", "src"), "src", "left_semi").join(ids.withColumnRenamed("id", "dst"), "dst", "left_semi")
    run = run_pregel(with_prior(vertices), normalized_out_weights(kept), pagerank_program(settings), engine, settings.edges_per_partition)
    totals = run.vertices.agg(F.sum("rank").alias("_rank_total")).crossJoin(_prior_total(vertices))
    # x solves x = alpha W^T x + (1 - alpha) w / sum(w): scaled by sum(w) / (1 - alpha) it is the mass.
    to_mass = F.col("_prior_total") / F.lit(1.0 - settings.alpha)
    ranks = run.vertices.crossJoin(F.broadcast(totals)).select(
        "id", (F.col("rank") / F.col("_rank_total")).alias("rank"), (F.col("rank") * to_mass).alias("mass")
    )
    return PregelRun(ranks, run.engine, run.iterations, run.converged, run.change, run.partitions, run.history, run.seconds)
