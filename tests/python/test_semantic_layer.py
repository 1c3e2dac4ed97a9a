"""The MetricFlow semantic layer (models/semantic/, docs/architecture.md "Semantic layer").

The semantic manifest (dbt parse for the profile's `semantic` target) agrees with the KPI
registry, seed kpi_definitions: every metric named after a kpi_id states the seed's definition,
unit and method; and `mf query` on the e2e fixture warehouse gives, month by month, the values
of kpi_values (dimension 'all')."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
import semantic_layer  # scripts/ is on sys.path (conftest)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED = PROJECT_ROOT / "seeds" / "kpi_definitions.csv"

# issue #25: the headline KPIs the semantic layer must hold at least
HEADLINE_KPIS = {
    "csat",
    "nps",
    "ces",
    "fcr_rate",
    "first_response_time",
    "resolution_time",
    "aht",
    "asa",
    "abandon_rate",
    "service_level",
    "sla_attainment",
    "churn_rate",
    "contact_volume",
}
# the 13 headline KPIs and 13 more the facts give exactly (models/semantic/_semantic__metrics.yml)
KPI_METRIC_COUNT = 26
# how a label names the seed's unit
UNIT_IN_LABEL = {"percent": "(%)", "seconds": "(seconds)", "score": "(score)", "count": "(count)"}
# kpi_values rounds nothing and MetricFlow neither: both are doubles from the same rows (an
# average against a sum / count), equal to the last bits of a double
TOLERANCE = 1e-9


def registry() -> dict[str, dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return {row["kpi_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def manifest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return semantic_layer.write_semantic_manifest(tmp_path_factory.mktemp("semantic") / "target")


@pytest.fixture(scope="module")
def manifest(manifest_path: Path) -> dict:
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def metrics_of(manifest: dict) -> dict[str, dict]:
    return {metric["name"]: metric for metric in manifest["metrics"]}


def measures_of(manifest: dict) -> dict[str, dict]:
    return {
        measure["name"]: measure
        for model in manifest["semantic_models"]
        for measure in model["measures"]
    }


def inputs_of(metric: dict) -> list[str]:
    return [entry["name"] for entry in metric["type_params"].get("metrics") or []]


def test_the_headline_kpis_and_13_more_are_metrics(manifest):
    names = set(metrics_of(manifest))
    kpi_metrics = names & set(registry())
    assert sorted(HEADLINE_KPIS - kpi_metrics) == []
    assert len(kpi_metrics) == KPI_METRIC_COUNT


def test_every_other_metric_is_an_input_of_a_kpi_metric(manifest):
    metrics = metrics_of(manifest)
    kpi_ids = set(registry())
    inputs = {name for kpi in kpi_ids & set(metrics) for name in inputs_of(metrics[kpi])}
    # contact_volume = tickets_created + queue_contacts_without_ticket; churn_rate from the
    # lost and active-at-start customers of kpi_values
    assert sorted(set(metrics) - kpi_ids) == sorted(inputs)
    assert len(inputs) == 4


def test_kpi_metrics_state_the_registry_definition_unit_and_method(manifest):
    metrics = metrics_of(manifest)
    measures = measures_of(manifest)
    for kpi_id, row in registry().items():
        if kpi_id not in metrics:
            continue
        metric = metrics[kpi_id]
        assert metric["description"].startswith(row["definition"]), kpi_id
        assert metric["label"].endswith(UNIT_IN_LABEL[row["unit"]]), kpi_id
        kind = metric["type"].lower()
        if kind == "simple":
            measure = measures[metric["type_params"]["measure"]["name"]]
            aggregation = measure["agg"].lower()
            expression = measure["expr"] or measure["name"]
            if row["method"] == "count":
                assert aggregation in {"sum", "count"}, kpi_id
            else:
                # share, nps, mean: the average over the KPI's population (null elsewhere)
                assert aggregation == "average", kpi_id
                # a share and nps are 100 x the average of 1/0 (+1/0/-1): the measure holds 100
                assert ("100.0" in expression) == (row["method"] in {"share", "nps"}), kpi_id
        else:
            assert kind == "derived", kpi_id
            expression = metric["type_params"]["expr"]
            if row["method"] == "count":
                # a count adds up counts of its input metrics: names and + only
                assert re.fullmatch(r"\w+( \+ \w+)*", expression), kpi_id
                for name in inputs_of(metric):
                    measure = measures[metrics[name]["type_params"]["measure"]["name"]]
                    assert measure["agg"].lower() in {"sum", "count"}, name
            else:
                assert row["method"] == "share", kpi_id
                assert expression.startswith("100.0 * "), kpi_id


def test_semantic_models_read_the_published_marts_of_the_attached_file(manifest):
    relations = {
        model["name"]: model["node_relation"]["relation_name"]
        for model in manifest["semantic_models"]
    }
    assert relations == {
        "survey_responses": '"cx_warehouse"."marts"."fct_survey_responses"',
        "tickets": '"cx_warehouse"."marts"."fct_tickets"',
        "queue_contacts": '"cx_warehouse"."marts"."fct_queue_contacts"',
        "kpi_values": '"cx_warehouse"."marts"."kpi_values"',
    }
    (spine,) = manifest["project_configuration"]["time_spines"]
    assert spine["node_relation"]["relation_name"] == '"cx_warehouse"."marts"."dim_date"'
    assert spine["primary_column"]["name"] == "date_day"


@pytest.fixture(scope="module")
def mf_project(tmp_path_factory: pytest.TempPathFactory, manifest_path: Path) -> Path:
    """A dbt project directory for mf: this project's dbt_project.yml and the semantic
    manifest in its target/ (the worktree's target/ belongs to the builds)."""
    project = tmp_path_factory.mktemp("mf_project")
    (project / "dbt_project.yml").symlink_to(PROJECT_ROOT / "dbt_project.yml")
    (project / "target").mkdir()
    (project / "target" / "semantic_manifest.json").write_bytes(manifest_path.read_bytes())
    return project


@pytest.fixture(scope="module")
def monthly(mf_project: Path, e2e_warehouse: Path, manifest: dict) -> dict[str, dict[str, float]]:
    """kpi_id -> month -> value of one `mf query` of every KPI metric by metric_time__month."""
    kpi_metrics = sorted(set(metrics_of(manifest)) & set(registry()))
    rows = semantic_layer.mf_query(mf_project, e2e_warehouse, kpi_metrics, "metric_time__month")
    return {
        kpi_id: {
            row["metric_time__month"][:10]: float(row[kpi_id]) for row in rows if row[kpi_id] != ""
        }
        for kpi_id in kpi_metrics
    }


def test_mf_query_gives_hand_computed_figures(monthly):
    # CSAT January: R1 5, R2 4, R3 3, R4 5, R5 'good' on 0-1 -> 4 satisfied of 5;
    # February: R6 2, R7 4 -> 1 of 2 (R17, score 6 of 1-5, is quarantined)
    assert monthly["csat"] == pytest.approx({"2024-01-01": 80.0, "2024-02-01": 50.0})
    # NPS January: 10, 9, 9 promoters, 7 passive, 3 detractor -> 100 x (3 - 1) / 5
    assert monthly["nps"] == pytest.approx({"2024-01-01": 40.0})
    # FCR January: 2 (T1, T2) of 7 resolved; February: T7, 1 of 1
    assert monthly["fcr_rate"] == pytest.approx({"2024-01-01": 200 / 7, "2024-02-01": 100.0})
    # first response, by creation month, bots excluded: T1 3600, T2 1800 (B1 is a bot), T3
    # 10800 (the internal note is no reply), T4 3600, T5 300 (created 10:00+01:00), T8 3600,
    # T9 7200 -> 30900 / 7; T6 has no reply; February T7 3600
    assert monthly["first_response_time"] == pytest.approx(
        {"2024-01-01": 30900 / 7, "2024-02-01": 3600.0}
    )
    # churn, from the first month with a customer active at its start: 2023-08 C1 C2 (S1, S2
    # started in July) -> 0 of 2; 2023-09 + C3 (S3 from 08-01) -> 0 of 3; 2023-10 to 2023-12
    # + C4 (S4 from 09-01) -> 0 of 4; January: C2 lost of C1 C2 C3 C4 C6 active -> 1 of 5;
    # February C3 of 4
    assert monthly["churn_rate"] == pytest.approx(
        {
            "2023-08-01": 0.0,
            "2023-09-01": 0.0,
            "2023-10-01": 0.0,
            "2023-11-01": 0.0,
            "2023-12-01": 0.0,
            "2024-01-01": 20.0,
            "2024-02-01": 25.0,
        }
    )


def test_mf_query_equals_kpi_values_every_month(monthly, e2e_warehouse, query):
    expected: dict[str, dict[str, float]] = {kpi_id: {} for kpi_id in monthly}
    for kpi_id, month, value in query(
        e2e_warehouse,
        "select kpi_id, strftime(period_start, '%Y-%m-%d'), value from marts.kpi_values"
        " where period_grain = 'month' and dimension = 'all' and value is not null",
    ):
        if kpi_id in expected:
            expected[kpi_id][month] = value
    methods = {kpi_id: row["method"] for kpi_id, row in registry().items()}
    compared = 0
    for kpi_id, by_month in monthly.items():
        # one query joins every metric on the month: a count is 0 in a month without its
        # rows (fill_nulls_with), where kpi_values has no row
        got = {
            month: value
            for month, value in by_month.items()
            if not (methods[kpi_id] == "count" and value == 0 and month not in expected[kpi_id])
        }
        assert sorted(got) == sorted(expected[kpi_id]), kpi_id
        for month, value in got.items():
            assert math.isclose(
                value, expected[kpi_id][month], rel_tol=TOLERANCE, abs_tol=TOLERANCE
            ), (kpi_id, month, value, expected[kpi_id][month])
            compared += 1
    # the KPI-months of the e2e fixture that both sides hold (kpi_values, month grain, 'all')
    assert compared == sum(len(months) for months in expected.values())
