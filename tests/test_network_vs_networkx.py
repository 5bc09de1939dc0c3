"""The hand-written social network against networkx on small graphs.

The generator is ours for memory (CSR arrays, ~56 B a person at 1 M people, against ~1.6 KB
with networkx); here it must build the same kind of graph as networkx's reference
generators: small-world against ``watts_strogatz_graph`` (and the Barrat & Weigt 2000 formula
for its clustering), scale-free Chung–Lu against ``expected_degree_graph`` with the same
expected degrees. Each statistic is compared between the means over a few graphs of each,
with a tolerance of four standard errors of the difference taken from their own spread (plus a
small floor), and fixed seeds: a systematic difference fails, chance does not.
"""

from __future__ import annotations

import statistics

import networkx as nx
import numpy as np
import pytest

from sim.model.network import SocialNetwork
from sim.scenario.schema import Network

SIZE, DEGREE, GRAPHS = 400, 10, 6


def to_nx(net: SocialNetwork) -> nx.Graph:
    indptr = np.frombuffer(net.indptr, dtype=np.int64)
    indices = np.frombuffer(net.indices, dtype=np.int32)
    g = nx.Graph()
    g.add_nodes_from(range(net.size))
    for person in range(net.size):
        g.add_edges_from((person, int(c)) for c in indices[indptr[person]:indptr[person + 1]])
    return g


def stats(g: nx.Graph) -> dict[str, float]:
    giant = g.subgraph(max(nx.connected_components(g), key=len))
    degrees = [d for _, d in g.degree()]
    return {
        "clustering": nx.average_clustering(g),
        "path_length": nx.average_shortest_path_length(giant),
        "mean_degree": statistics.fmean(degrees),
        "sd_degree": statistics.stdev(degrees),
        "max_degree": max(degrees),
    }


def assert_alike(ours: list[dict[str, float]], theirs: list[dict[str, float]], floor: float = 0.02) -> None:
    for key in ours[0]:
        a, b = [s[key] for s in ours], [s[key] for s in theirs]
        se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
        tolerance = 4 * se + floor * abs(statistics.fmean(b))
        assert abs(statistics.fmean(a) - statistics.fmean(b)) <= tolerance, (key, statistics.fmean(a),
                                                                             statistics.fmean(b), tolerance)


@pytest.mark.parametrize("rewire", [0.0, 0.1, 0.3])
def test_small_world_matches_watts_strogatz(rewire: float) -> None:
    spec = Network(kind="small_world", contacts_per_person=DEGREE, rewiring_probability=rewire)
    ours = [stats(to_nx(SocialNetwork(spec, SIZE, np.random.default_rng(seed)))) for seed in range(GRAPHS)]
    theirs = [stats(nx.watts_strogatz_graph(SIZE, DEGREE, rewire, seed=seed)) for seed in range(GRAPHS)]
    assert_alike(ours, theirs)
    # Barrat & Weigt (2000): C(p) ~ C(0) (1 - p)^3, C(0) = 3(k - 2) / (4(k - 1))
    theory = 3 * (DEGREE - 2) / (4 * (DEGREE - 1)) * (1 - rewire) ** 3
    assert statistics.fmean(s["clustering"] for s in ours) == pytest.approx(theory, rel=0.1)


def test_scale_free_matches_networkx_expected_degree_graph() -> None:
    exponent = 2.5
    spec = Network(kind="scale_free", contacts_per_person=DEGREE, degree_exponent=exponent)
    ours = [stats(to_nx(SocialNetwork(spec, SIZE, np.random.default_rng(seed)))) for seed in range(GRAPHS)]
    ranks = np.arange(1, SIZE + 1, dtype=float)
    weights = ranks ** (-1 / (exponent - 1))
    ours_mean = statistics.fmean(s["mean_degree"] for s in ours)
    expected = (weights / weights.sum() * SIZE * ours_mean).tolist()  # same shape, same realised mean
    theirs = [stats(nx.expected_degree_graph(expected, seed=seed, selfloops=False)) for seed in range(GRAPHS)]
    assert_alike(ours, theirs, floor=0.1)
