"""Weighted PageRank on a real graph (SNAP Higgs retweets) against networkx."""

from __future__ import annotations

import gzip

import networkx as nx
import numpy as np
import pytest
from pyspark.sql import functions as F
from scipy.stats import spearmanr

from transforms.graph.pagerank import PageRankSettings, weighted_pagerank

pytestmark = pytest.mark.integration


def test_weighted_pagerank_agrees_with_networkx_on_higgs_retweets(spark, shared_data):
    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist.gz"
    edges = spark.read.csv(str(path), sep=" ", schema="src long, dst long, weight double")
    vertices = edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id"))).distinct()
    run = weighted_pagerank(vertices, edges, PageRankSettings(alpha=0.85, tol=1e-6, max_iter=300))
    ours = run.vertices.toPandas().set_index("id")["rank"]

    with gzip.open(path, "rt") as lines:
        graph = nx.read_weighted_edgelist(lines, create_using=nx.DiGraph, nodetype=int)
    expected = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-12, max_iter=500)

    assert run.converged
    assert (len(ours), graph.number_of_nodes(), graph.number_of_edges()) == (256_491, 256_491, 328_132)
    assert set(ours.index) == set(expected)
    ids = sorted(expected)
    want = np.array([expected[i] for i in ids])
    got = ours.loc[ids].to_numpy()
    assert spearmanr(want, got).statistic >= 0.999
    top = np.argsort(-want)[:1000]
    assert np.max(np.abs(got[top] - want[top]) / want[top]) <= 1e-3
    assert got.sum() == pytest.approx(1.0, abs=1e-9)
