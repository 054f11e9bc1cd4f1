"""Property: `lineage` over random DAGs of datasets and models equals a plain-Python model of the graph."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers import write_files

from aiprov import Client


@st.composite
def dags(draw):
    """Datasets (some versions of earlier ones), then models referencing earlier nodes only."""
    n_datasets = draw(st.integers(1, 4))
    dataset_parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n_datasets)]
    models = []
    for m in range(draw(st.integers(1, 4))):
        ds = draw(st.lists(st.integers(0, n_datasets - 1), min_size=1, max_size=n_datasets, unique=True))
        bases = draw(st.lists(st.integers(0, m - 1), max_size=m, unique=True)) if m else []
        models.append((ds, bases))
    revoked = draw(st.sets(st.integers(0, n_datasets - 1), max_size=1))
    return dataset_parents, models, revoked


def expected_graph(dataset_ids, model_ids, dataset_parents, models, top):
    """Reachable nodes and edges from model `top`, computed without the chain."""
    nodes, edges = set(), set()

    def visit_dataset(i):
        key = f"dataset:{dataset_ids[i]}"
        if key in nodes:
            return key
        nodes.add(key)
        if dataset_parents[i] is not None:
            edges.add((key, visit_dataset(dataset_parents[i]), "previous_version"))
        return key

    def visit_model(m):
        key = f"model:{model_ids[m]}"
        if key in nodes:
            return key
        nodes.add(key)
        ds, bases = models[m]
        for d in ds:
            edges.add((key, visit_dataset(d), "trained_on"))
        for b in bases:
            edges.add((key, visit_model(b), "derived_from"))
        return key

    visit_model(top)
    return nodes, edges


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_lineage_matches_python_model(dag):
    dataset_parents, models, revoked = dag
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with Client(home=tmp / "home") as client:
            dataset_ids, roots = [], []
            for i, parent in enumerate(dataset_parents):
                folder = write_files(tmp / f"d{i}", {"data.txt": f"dataset {i}"})
                reg = client.register_dataset(folder, parent=dataset_ids[parent] if parent is not None else None)
                dataset_ids.append(reg.id)
                roots.append(reg.root)
            model_ids = []
            for m, (ds, bases) in enumerate(models):
                folder = write_files(tmp / f"m{m}", {"weights.bin": f"model {m}"})
                reg = client.register_model(folder, datasets=[dataset_ids[d] for d in ds],
                                            base_models=[model_ids[b] for b in bases], capture_environment=False)
                model_ids.append(reg.id)
            for d in revoked:
                client.set_status("dataset", dataset_ids[d], "revoked", "test")
            top = len(models) - 1
            graph = client.lineage(model_ids[top])
            nodes, edges = expected_graph(dataset_ids, model_ids, dataset_parents, models, top)
            assert {n["key"] for n in graph.nodes} == nodes
            assert {(e["from"], e["to"], e["relation"]) for e in graph.edges} == edges
            for e in graph.edges:
                if e["relation"] == "trained_on":
                    assert e["root"] == roots[dataset_ids.index(int(e["to"].split(":")[1]))]
            assert all(n["lineage_verified"] for n in graph.nodes if n["kind"] == "model")
            assert set(graph.revoked) == {f"dataset:{dataset_ids[d]}" for d in revoked} & nodes
            # the CI gate: verify fails exactly when something upstream is revoked
            result = client.verify("model", tmp / f"m{top}", id=model_ids[top])
            assert result.verified == (not (set(graph.revoked) & nodes))
