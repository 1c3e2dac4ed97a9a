"""Data flows one way: no model reads a model of a later layer (dbt's manifest says who reads
whom). Layers, in order: staging -> intermediate -> marts (facts and dimensions) -> metrics
(aggregates -> kpis -> scorecards) -> audit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import run_warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAYERS = (
    "staging",
    "intermediate",
    "marts",
    "metrics/aggregates",
    "metrics/kpis",
    "metrics/scorecards",
    "audit",
)


def layer_of(path: str) -> int:
    """The position of a model's folder in LAYERS (models/<layer>/...)."""
    for position, layer in enumerate(LAYERS):
        if path.startswith(f"models/{layer}/"):
            return position
    raise AssertionError(f"{path} is in no layer of {LAYERS}")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("parse")
    command = run_warehouse.dbt_command("parse", "--target-path", str(target))
    env = run_warehouse.dbt_env(target / "parse.duckdb", salt=run_warehouse.DEMO_SALT)
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def test_no_model_reads_a_later_layer(manifest):
    models = {
        key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    backward = [
        f"{node['name']} ({LAYERS[layer_of(node['original_file_path'])]}) reads"
        f" {models[parent]['name']} ({LAYERS[layer_of(models[parent]['original_file_path'])]})"
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models
        and layer_of(models[parent]["original_file_path"]) > layer_of(node["original_file_path"])
    ]
    assert backward == []


def test_the_layer_check_sees_every_model(manifest):
    # every model sits in a layer folder (layer_of raises otherwise), and the check reads them all
    paths = [
        n["original_file_path"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
    ]
    assert sorted({LAYERS[layer_of(path)] for path in paths}) == sorted(LAYERS)
    assert len(paths) == len(list((PROJECT_ROOT / "models").rglob("*.sql")))
