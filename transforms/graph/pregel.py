"""A Pregel runner on DataFrames, in GraphFrames' vocabulary.

GraphFrames' own Pregel (``org.graphframes.lib.Pregel``) is a loop of DataFrame operations:
join the source vertices' state onto the edges (and the destination's only when a message
needs it), send messages, group them by target vertex, aggregate, join the aggregate back
onto the vertices and update their columns. Nothing in it needs GraphX, so this module runs
the same loop where GraphFrames' jar is missing, and hands the very same program to
``GraphFrame(v, e).pregel`` where it is present (:func:`run_pregel` with
``engine="graphframes"``). A program is built from the column helpers below (:func:`src`,
:func:`dst`, :func:`edge`, :func:`msg`), which name the same columns GraphFrames' do.

How the DataFrame runner keeps an iteration cheap:

- Edges are hash-partitioned by ``src`` once and cached; vertex state is hash-partitioned
  by ``id`` into the same number of partitions, and every iteration's state comes out of a
  join that keeps that partitioning. The join of state onto edges therefore shuffles
  nothing; the only shuffle of an iteration is the messages' (combined map-side first).
- Each iteration's state is local-checkpointed lazily and materialised by the one action
  of the iteration, the convergence test (or a count when the program has none), so the
  plan never grows with the iterations and no iteration runs a second job.
- The columns of an iteration are built once per run (:class:`IterationPlan`): each one
  built is a round trip to the JVM, and an iteration on a small graph runs in about the
  time its plan takes to build.
- Every ``checkpoint_interval`` iterations the state is also written as a reliable
  checkpoint (the session's checkpoint directory), so a lost executor costs at most that
  many iterations on a cluster; 0 keeps only local checkpoints.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

LOG = logging.getLogger(__name__)

ENGINE_DATAFRAME = "dataframe"
ENGINE_GRAPHFRAMES = "graphframes"

# The column names GraphFrames' Pregel gives the triplet parts and the aggregated message.
SRC = "src"
DST = "dst"
EDGE = "edge"
MSG = "_pregel_msg_"
PREVIOUS_PREFIX = "_previous_"
# Session settings the DataFrame runner sets for its iterations and restores afterwards.
RUNNER_CONF = ("spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled")


def src(name: str) -> Column:
    """A source-vertex column in a message expression (as ``Pregel.src``)."""
    return F.col(f"{SRC}.{name}")


def dst(name: str) -> Column:
    """A destination-vertex column in a message expression (as ``Pregel.dst``)."""
    return F.col(f"{DST}.{name}")


def edge(name: str) -> Column:
    """An edge column in a message expression (as ``Pregel.edge``)."""
    return F.col(f"{EDGE}.{name}")


def msg() -> Column:
    """The message column: each message in ``aggregate``, the aggregate in ``update``."""
    return F.col(MSG)


def previous(name: str) -> Column:
    """A vertex column's value before the iteration, in a convergence expression."""
    return F.col(PREVIOUS_PREFIX + name)


@dataclass(frozen=True)
class VertexColumn:
    """A vertex column the program adds and updates.

    Attributes:
        name: Column name (must not exist on the input vertices).
        initial: Value before the first iteration, from the input vertex columns.
        update: Value after each iteration, from the vertex columns (their values before
            the iteration) and :func:`msg`, which is null for a vertex that got no message.
    """

    name: str
    initial: Column
    update: Column


@dataclass(frozen=True)
class PregelProgram:
    """One Pregel algorithm, runnable by either engine.

    Attributes:
        columns: Vertex columns the program adds and updates.
        aggregate: Aggregation of the messages sent to one vertex, e.g. ``F.sum(msg())``.
        to_dst: Message from each edge to its destination (null sends nothing).
        to_src: Message from each edge to its source (null sends nothing).
        src_columns: Vertex columns that messages read through :func:`src`.
        dst_columns: Vertex columns that messages read through :func:`dst`; none means
            the destination's state is never joined onto the edges.
        edge_columns: Edge columns (besides ``src`` and ``dst``) that messages read.
        max_iterations: Iterations after which the run stops, converged or not.
        checkpoint_interval: Iterations between reliable checkpoints (0: local only).
        convergence: An aggregate over the updated vertices (which may use
            :func:`previous`), computed after each iteration; the run stops when it is at
            most ``tolerance``. None runs ``max_iterations``.
        tolerance: See ``convergence``.
    """

    columns: tuple[VertexColumn, ...]
    aggregate: Column
    to_dst: Column | None = None
    to_src: Column | None = None
    src_columns: tuple[str, ...] = ()
    dst_columns: tuple[str, ...] = ()
    edge_columns: tuple[str, ...] = ()
    max_iterations: int = 20
    checkpoint_interval: int = 0
    convergence: Column | None = None
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if self.to_dst is None and self.to_src is None:
            raise ValueError("a Pregel program sends at least one message (to_dst or to_src)")
        if self.max_iterations < 1:
            raise ValueError(f"max_iterations must be at least 1, got {self.max_iterations}")


@dataclass(frozen=True)
class PregelRun:
    """The outcome of a run.

    Attributes:
        vertices: The input vertices with the program's columns after the last iteration.
        engine: The engine that ran it (``dataframe`` or ``graphframes``).
        iterations: Iterations run.
        converged: Whether the convergence test passed (False when there is none).
        change: The convergence expression's last value (None when there is none).
        partitions: Partitions of the vertex state and edges (DataFrame runner).
        history: The convergence expression's value after each iteration.
        seconds: Wall time of each iteration, planning included (DataFrame runner).
    """

    vertices: DataFrame
    engine: str
    iterations: int
    converged: bool
    change: float | None = None
    partitions: int | None = None
    history: tuple[float, ...] = field(default=())
    seconds: tuple[float, ...] = field(default=())


def graph_partitions(edge_count: int, default_parallelism: int, edges_per_partition: int) -> int:
    """Partitions for a graph's edges and vertex state: enough that none holds more than
    ``edges_per_partition`` edges, and never fewer than the cores that run them."""
    return max(default_parallelism, math.ceil(edge_count / max(edges_per_partition, 1)))


def run_pregel(
    vertices: DataFrame,
    edges: DataFrame,
    program: PregelProgram,
    engine: str = ENGINE_DATAFRAME,
    edges_per_partition: int = 2_000_000,
) -> PregelRun:
    """Runs a Pregel program on a graph with the given engine.

    This function's purpose is the iteration, so it runs Spark jobs: one per iteration,
    plus one to count the edges (to size the partitions).

    Args:
        vertices: Vertices with a unique ``id`` and any other columns.
        edges: Edges with ``src`` and ``dst`` (vertex ids) and any other columns.
        program: The algorithm.
        engine: ``dataframe`` or ``graphframes`` (already resolved, see
            :func:`transforms.graph.engine.resolve_engine`).
        edges_per_partition: Most edges per partition (DataFrame runner).

    Returns:
        The final vertices and how the run went.
    """
    if engine == ENGINE_GRAPHFRAMES:
        return _run_graphframes(vertices, edges, program)
    if engine != ENGINE_DATAFRAME:
        raise ValueError(f"unknown graph engine {engine!r}")
    return _run_dataframe(vertices, edges, program, edges_per_partition)


def _run_graphframes(vertices: DataFrame, edges: DataFrame, program: PregelProgram) -> PregelRun:
    """The same program through GraphFrames' Pregel; it has no convergence test of this
    kind, so it runs ``max_iterations``."""
    from graphframes import GraphFrame

    pregel = GraphFrame(vertices, edges).pregel.setMaxIter(program.max_iterations)
    pregel = pregel.setCheckpointInterval(program.checkpoint_interval).setUseLocalCheckpoints(program.checkpoint_interval == 0)
    for column in program.columns:
        pregel = pregel.withVertexColumn(column.name, column.initial, column.update)
    if program.to_dst is not None:
        pregel = pregel.sendMsgToDst(program.to_dst)
    if program.to_src is not None:
        pregel = pregel.sendMsgToSrc(program.to_src)
    if program.src_columns:
        pregel = pregel.required_src_columns(*program.src_columns)
    if program.dst_columns:
        pregel = pregel.required_dst_columns(*program.dst_columns)
    if program.edge_columns:
        pregel = pregel.required_edge_columns(*program.edge_columns)
    result = pregel.aggMsgs(program.aggregate).run()
    return PregelRun(result, ENGINE_GRAPHFRAMES, program.max_iterations, converged=False)


@dataclass(frozen=True)
class IterationPlan:
    """The columns of one iteration, built once per run and reused by every iteration.

    Building a Column is a round trip to the JVM per name and per function, and an
    iteration plans a dozen DataFrame operations: built afresh each time they cost about
    as much as running the iteration on a small graph.
    """

    src_state: tuple[Column, ...]
    triplet: tuple[Column, ...]
    dst_state: tuple[Column, ...] | None
    dst_key: Column | None
    messages: tuple[Column, ...]
    message_sent: Column
    aggregate: Column
    updated: tuple[Column, ...]
    kept: tuple[Column, ...]
    convergence: Column | None

    @staticmethod
    def of(program: PregelProgram, own: list[str]) -> IterationPlan:
        """The plan of ``program`` on vertices whose own columns (besides ``id``) are ``own``."""
        sent = []
        if program.to_dst is not None:
            sent.append((F.col(f"{EDGE}.{DST}").alias("id"), program.to_dst.alias(MSG)))
        if program.to_src is not None:
            sent.append((F.col(f"{EDGE}.{SRC}").alias("id"), program.to_src.alias(MSG)))
        # One message per edge is a projection; messages both ways a generator of two rows.
        messages = sent[0] if len(sent) == 1 else (F.inline(F.array(*[F.struct(*m) for m in sent])),)
        edge_struct = F.struct(F.col("_src_id").alias(SRC), F.col(DST), *[F.col(c) for c in program.edge_columns]).alias(EDGE)
        return IterationPlan(
            src_state=(F.col("id").alias("_src_id"), F.struct("id", *program.src_columns).alias(SRC)),
            triplet=(F.col(SRC), edge_struct),
            dst_state=(F.col("id").alias("_dst_id"), F.struct("id", *program.dst_columns).alias(DST)) if program.dst_columns else None,
            dst_key=F.col(f"{EDGE}.{DST}") == F.col("_dst_id") if program.dst_columns else None,
            messages=messages,
            message_sent=F.col(MSG).isNotNull(),
            aggregate=program.aggregate.alias(MSG),
            updated=(
                F.col("id"),
                *[F.col(c) for c in own],
                *[c.update.alias(c.name) for c in program.columns],
                *[F.col(c.name).alias(PREVIOUS_PREFIX + c.name) for c in program.columns],
            ),
            kept=(F.col("id"), *[F.col(c) for c in own], *[F.col(c.name) for c in program.columns]),
            convergence=program.convergence.alias("change") if program.convergence is not None else None,
        )

    def triplets(self, edges: DataFrame, state: DataFrame) -> DataFrame:
        """``(src, edge, dst)`` structs as GraphFrames builds them, with only the columns
        the messages read. ``edges`` (see :func:`keyed_edges`) and ``state`` are
        partitioned alike on the join key, so the join shuffles neither; it hashes the
        state rather than sorting both sides. The optimiser drops the struct fields no
        message reads."""
        triplets = edges.join(state.select(*self.src_state).hint("shuffle_hash"), "_src_id").select(*self.triplet)
        if self.dst_state is not None:
            triplets = triplets.join(state.select(*self.dst_state).hint("shuffle_hash"), self.dst_key).drop("_dst_id")
        return triplets

    def step(self, edges: DataFrame, state: DataFrame) -> DataFrame:
        """One iteration, lazily (see :func:`iteration_step`)."""
        messages = self.triplets(edges, state).select(*self.messages).where(self.message_sent)
        aggregated = messages.groupBy("id").agg(self.aggregate)
        return state.join(aggregated.hint("shuffle_hash"), "id", "left").select(*self.updated)


def keyed_edges(edges: DataFrame, program: PregelProgram, partitions: int) -> DataFrame:
    """The edges as flat ``(_src_id, dst, *edge_columns)``, hash-partitioned by source and
    local-checkpointed: every iteration then plans against a leaf instead of re-analysing
    (and matching against the cache) the whole plan that produced the edges."""
    return edges.repartition(partitions, SRC).select(F.col(SRC).alias("_src_id"), DST, *program.edge_columns).localCheckpoint(eager=True)


def iteration_step(edges: DataFrame, state: DataFrame, program: PregelProgram, own: list[str]) -> DataFrame:
    """One iteration, lazily: messages, their aggregate per vertex, the updated columns
    (with each column's previous value beside it for the convergence test).

    Args:
        edges: From :func:`keyed_edges`.
        state: ``id``, the vertices' own columns ``own`` and the program's columns,
            partitioned by ``id`` like ``edges`` by source.
        program: The algorithm.
        own: The input vertices' columns (besides ``id``), carried along unchanged.
    """
    return IterationPlan.of(program, own).step(edges, state)


def initial_state(vertices: DataFrame, program: PregelProgram, partitions: int) -> DataFrame:
    """The vertices with the program's initial columns, hash-partitioned by ``id``."""
    own = [c for c in vertices.columns if c != "id"]
    return vertices.repartition(partitions, "id").select("id", *own, *[c.initial.alias(c.name) for c in program.columns])


@contextmanager
def runner_conf(spark: SparkSession, partitions: int) -> Iterator[None]:
    """The session settings of the runner's iterations, restored afterwards.

    The messages' aggregation must come out in as many partitions as the state, so that
    joining it back (and the next iteration's join onto the edges) shuffles nothing; and
    adaptive execution is off: it re-plans stage by stage, which costs more than it saves
    on a plan whose joins are all co-partitioned (0.4 s of each iteration on Higgs, 2
    cores), and a checkpoint taken under it forgets how its rows are partitioned.
    """
    saved = {key: spark.conf.get(key) for key in RUNNER_CONF}
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        yield
    finally:
        for key, value in saved.items():
            spark.conf.set(key, value)


def _run_dataframe(vertices: DataFrame, edges: DataFrame, program: PregelProgram, edges_per_partition: int) -> PregelRun:
    spark = vertices.sparkSession
    added = [c.name for c in program.columns]
    clash = sorted(set(added) & set(vertices.columns))
    if clash:
        raise ValueError(f"vertex columns {clash} exist already; a program adds new columns")
    own = [c for c in vertices.columns if c != "id"]
    partitions = graph_partitions(edges.count(), spark.sparkContext.defaultParallelism, edges_per_partition)
    with runner_conf(spark, partitions):
        graph_edges = keyed_edges(edges, program, partitions)
        state = initial_state(vertices, program, partitions).localCheckpoint(eager=False)
        plan = IterationPlan.of(program, own)
        history: list[float] = []
        seconds: list[float] = []
        converged = False
        iteration = 0
        last = time.perf_counter()
        for iteration in range(1, program.max_iterations + 1):
            updated = plan.step(graph_edges, state)
            # Every iteration is materialised: planning several into one job recomputes the
            # earlier ones (measured on Higgs: 4 per job took 1.6 times as long per iteration).
            reliable = program.checkpoint_interval > 0 and iteration % program.checkpoint_interval == 0
            updated = updated.checkpoint(eager=False) if reliable else updated.localCheckpoint(eager=False)
            if plan.convergence is None:
                updated.count()  # the iteration's one action: materialises the checkpoint
            else:
                # The iteration's one action: the checkpoint is written as the change is added up.
                # (An Observation would save its last stage, but once a session has used one,
                # Spark ML models that hold the session can no longer be serialised.)
                change = updated.agg(plan.convergence).collect()[0]["change"]
                history.append(float(change) if change is not None else 0.0)
            # The previous values ride along into the next iteration, which selects what it
            # reads: one DataFrame operation fewer per iteration.
            state = updated
            now = time.perf_counter()
            seconds.append(now - last)
            last = now
            if plan.convergence is not None and history[-1] <= program.tolerance:
                converged = True
                break
    LOG.info("pregel (dataframe): %d iterations on %d partitions, converged=%s", iteration, partitions, converged)
    return PregelRun(state.select(*plan.kept), ENGINE_DATAFRAME, iteration, converged, history[-1] if history else None, partitions, tuple(history), tuple(seconds))
