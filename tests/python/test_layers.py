"""Data flows one way: no model reads a model of a later layer (dbt's manifest says who reads
whom). Layers, in order: staging -> intermediate -> marts (facts and dimensions) -> metrics
(aggregates -> kpis -> scorecards) -> audit."""

from __future__ import annotations

import json
import re
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


def backward_edges(manifest: dict) -> list[str]:
    """Every model that reads a model of a later layer, as 'reader (layer) reads read (layer)'."""
    models = {
        key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    return [
        f"{node['name']} ({LAYERS[layer_of(node['original_file_path'])]}) reads"
        f" {models[parent]['name']} ({LAYERS[layer_of(models[parent]['original_file_path'])]})"
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models
        and layer_of(models[parent]["original_file_path"]) > layer_of(node["original_file_path"])
    ]


def test_no_model_reads_a_later_layer(manifest):
    assert backward_edges(manifest) == []


def test_the_layer_check_fails_on_a_backward_edge():
    def model(name: str, path: str, reads: list[str]) -> dict:
        return {
            "resource_type": "model",
            "name": name,
            "original_file_path": path,
            "depends_on": {"nodes": [f"model.p.{read}" for read in reads]},
        }

    manifest = {
        "nodes": {
            "model.p.stg_a": model("stg_a", "models/staging/a/stg_a.sql", []),
            "model.p.fct_a": model("fct_a", "models/marts/core/fct_a.sql", ["stg_a", "kpi_values"]),
            "model.p.kpi_values": model(
                "kpi_values", "models/metrics/kpis/kpi_values.sql", ["fct_a"]
            ),
        }
    }
    assert backward_edges(manifest) == ["fct_a (marts) reads kpi_values (metrics/kpis)"]


def test_the_layer_check_sees_every_model(manifest):
    # every model sits in a layer folder (layer_of raises otherwise), and the check reads them all
    paths = [
        n["original_file_path"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
    ]
    assert sorted({LAYERS[layer_of(path)] for path in paths}) == sorted(LAYERS)
    assert len(paths) == len(list((PROJECT_ROOT / "models").rglob("*.sql")))


# The shape issue #24 asks for, checked on the manifest so that it cannot drift back.
MAX_MODELS = 75
MAX_INCREMENTAL_MODELS = 20
DBT_STRATEGIES = {"append", "delete+insert", "merge"}
# macros that query the database while a model compiles (its SQL then depends on the data)
QUERYING_MACROS = {"run_query", "statement", "get_columns_in_relation"}
# A reader's path of one month of CSAT, from the raw export to kpi_values (docs/architecture.md
# "One KPI's path"): each model reads the one before it.
CSAT_PATH = (
    "stg_survey__responses",
    "fct_survey_responses",
    "int_kpi_observations__survey_responses",
    "int_kpi_observations",
    "int_kpi_aggregates__observations",
    "kpi_values",
)
# Project macros those models call, directly or through other macros. A dispatched macro and its
# implementations per engine (duckdb__x, spark__x, default__x) count as one macro: its reader reads
# one macro, written once per engine (docs/architecture.md "One KPI's path: CSAT").
MAX_CSAT_MACROS = 8
ADAPTER_PREFIX = re.compile(r"^(default|duckdb|spark)__")


def models_of(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def project_macros(manifest: dict, node: dict) -> set[str]:
    """Every macro a model calls, directly or through other macros (dbt's own included)."""
    seen: set[str] = set()
    stack = list(node["depends_on"]["macros"])
    while stack:
        macro = stack.pop()
        if macro not in seen:
            seen.add(macro)
            stack += manifest["macros"].get(macro, {}).get("depends_on", {}).get("macros", [])
    return seen


def test_few_models_few_incremental_and_only_dbt_strategies(manifest):
    models = models_of(manifest)
    incremental = {
        name: node["config"].get("incremental_strategy")
        for name, node in models.items()
        if node["config"]["materialized"] == "incremental"
    }
    assert len(models) <= MAX_MODELS
    assert len(incremental) <= MAX_INCREMENTAL_MODELS, sorted(incremental)
    assert set(incremental.values()) <= DBT_STRATEGIES
    custom = [m for m in manifest["macros"] if m.split(".")[-1].startswith("get_incremental_")]
    assert [m for m in custom if m.startswith("macro.cx_warehouse.")] == []


def test_no_model_queries_the_database_while_it_compiles(manifest):
    querying = {
        name: sorted(
            m.split(".")[-1]
            for m in project_macros(manifest, node)
            if m.split(".")[-1] in QUERYING_MACROS
        )
        for name, node in models_of(manifest).items()
    }
    assert {name: calls for name, calls in querying.items() if calls} == {}


def test_csat_reaches_kpi_values_through_few_models_and_macros(manifest):
    models = models_of(manifest)
    source = [
        key
        for key in models["stg_survey__responses"]["depends_on"]["nodes"]
        if key.startswith("source.")
    ]
    # the export, and the loader's log of load batches (each batch's plausible window)
    assert sorted(source) == [
        "source.cx_warehouse.loader._load_batches",
        "source.cx_warehouse.survey.survey_responses",
    ]
    for reader, read in zip(CSAT_PATH[1:], CSAT_PATH, strict=False):
        assert models[read]["unique_id"] in models[reader]["depends_on"]["nodes"], (reader, read)
    # the CSAT rule is written on the path, in one model
    assert [m for m in CSAT_PATH if "as is_satisfied" in models[m]["raw_code"]] == [
        "fct_survey_responses"
    ]
    macros = set().union(*(project_macros(manifest, models[m]) for m in CSAT_PATH))
    ours = {
        ADAPTER_PREFIX.sub("", m.split(".")[-1])
        for m in macros
        if m.startswith("macro.cx_warehouse.")
    }
    assert len(ours) <= MAX_CSAT_MACROS, sorted(ours)
