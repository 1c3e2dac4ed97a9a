"""Seed kpi_definitions is the only list of KPIs: every other place that lists kpi_ids (the wide
family marts, the agent/team scorecards, the quality gate, the YAML tests and the README table)
holds exactly the seed's kpi_ids, so a KPI added to the seed cannot be forgotten anywhere and no
place lists a KPI the seed lacks."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import validate_quality as vq  # scripts/ is on sys.path (conftest)
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED = PROJECT_ROOT / "seeds" / "kpi_definitions.csv"
KPI_MARTS = PROJECT_ROOT / "models" / "metrics" / "kpis"
KEY_COLUMNS = ["period_grain", "period_start", "dimension", "dimension_value"]


def seed() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_ids(**where: str) -> list[str]:
    """kpi_ids of the seed (in its order) whose columns equal the given values."""
    return [row["kpi_id"] for row in seed() if all(row[k] == v for k, v in where.items())]


def family_mart_ids(family: str) -> list[str]:
    """What the wide mart kpi_<family> must hold: the seed's KPIs of that family, in the seed's
    order."""
    return seed_ids(kpi_family=family)


def wide_marts() -> dict[str, str]:
    """SQL of every wide family mart (kpi_<family>.sql; kpi_values is the long mart)."""
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted(KPI_MARTS.glob("kpi_*.sql"))
        if path.stem != "kpi_values"
    }


def pivoted_ids(sql: str) -> list[str]:
    """The kpi_ids of a wide mart's pivot_kpi_values([...]) call, in order."""
    match = re.search(r"pivot_kpi_values\(\s*\[(.*?)\]", sql, re.DOTALL)
    assert match, "a wide mart is a pivot_kpi_values call"
    return re.findall(r"'(\w+)'", match.group(1))


def scorecard() -> dict[str, str]:
    """column -> kpi_id of macro agent_scorecard_kpis()."""
    sql = (PROJECT_ROOT / "macros" / "kpi" / "agent_scorecard_kpis.sql").read_text(encoding="utf-8")
    body = sql.split("return({", 1)[1].split("})", 1)[0]
    return dict(re.findall(r"'(\w+)':\s*'(\w+)'", body))


def test_the_seed_has_six_families_and_one_per_kpi():
    rows = seed()
    families = {row["kpi_family"] for row in rows}
    assert families == {
        "perception",
        "relationship",
        "volume",
        "speed",
        "call_centre",
        "effectiveness",
    }
    # a KPI's family is its one wide mart: no other column names a second one
    assert list(rows[0]) == [
        "kpi_id",
        "kpi_family",
        "unit",
        "method",
        "good_direction",
        "value_min",
        "value_max",
        "definition",
    ]
    assert [row["kpi_id"] for row in rows if row["kpi_family"] == "call_centre"] == [
        "answer_rate",
        "abandon_rate",
        "blockage_rate",
    ]


def test_there_is_one_wide_mart_per_family_of_the_seed():
    families = {row["kpi_family"] for row in seed()}
    assert sorted(wide_marts()) == sorted(f"kpi_{family}" for family in families)


def test_every_wide_mart_holds_exactly_its_familys_kpis_in_seed_order():
    for mart, sql in wide_marts().items():
        assert pivoted_ids(sql) == family_mart_ids(mart.removeprefix("kpi_")), mart


def test_every_kpi_is_in_exactly_one_wide_mart_its_familys():
    marts_of: dict[str, list[str]] = {}
    for mart, sql in wide_marts().items():
        for kpi_id in pivoted_ids(sql):
            marts_of.setdefault(kpi_id, []).append(mart)
    assert sorted(marts_of) == sorted(seed_ids())
    for row in seed():
        assert marts_of[row["kpi_id"]] == [f"kpi_{row['kpi_family']}"], row["kpi_id"]
    # 44 KPIs, 44 KPI blocks over the six wide marts
    assert sum(len(marts) for marts in marts_of.values()) == 44


def test_the_relationship_mart_holds_the_ten_relationship_kpis():
    assert pivoted_ids(wide_marts()["kpi_relationship"]) == [
        "churn_rate",
        "retention_rate",
        "repurchase_rate",
        "referral_rate",
        "clv",
        "revenue_per_customer",
        "engagement_rate",
        "touchpoints_per_customer",
        "journey_touchpoints",
        "task_completion_rate",
    ]


def test_wide_mart_yaml_descriptions_name_their_kpis():
    models = yaml.safe_load((KPI_MARTS / "_kpis__models.yml").read_text(encoding="utf-8"))
    descriptions = {model["name"]: model["description"] for model in models["models"]}
    for mart, sql in wide_marts().items():
        # speed's description names its time KPIs as a group
        if mart == "kpi_speed":
            continue
        # the list in parentheses, up to a ';' (call centre's aside names KPIs of another mart)
        listed = re.search(r"\(([\w, ]+)[;)]", descriptions[mart])
        assert listed, mart
        assert listed.group(1).split(", ") == pivoted_ids(sql), mart


def test_the_scorecard_kpis_are_seed_kpi_ids():
    assert scorecard() == {
        "handled_volume": "contact_volume",
        "first_response_time": "first_response_time",
        "resolution_time": "resolution_time",
        "aht": "aht",
        "fcr_rate": "fcr_rate",
        "csat": "csat",
        "iqs": "iqs",
    }
    assert set(scorecard().values()) <= set(seed_ids())
    # both scorecards' descriptions name every column of the macro
    scorecards = PROJECT_ROOT / "models" / "metrics" / "scorecards" / "_scorecards__models.yml"
    models = yaml.safe_load(scorecards.read_text(encoding="utf-8"))["models"]
    assert len(models) == 2
    for model in models:
        for column in scorecard():
            assert re.search(rf"\b{column}\b", model["description"]), (model["name"], column)


def test_the_quality_gate_lists_are_derived_from_the_seed():
    assert vq.PERCENT_KPIS == tuple(seed_ids(unit="percent"))
    # the derivation gives the 22 ids the gate listed by hand before the registry
    assert len(vq.PERCENT_KPIS) == 22
    assert vq.SCORE_SCALES == tuple(
        (row["kpi_id"], float(row["value_min"]), float(row["value_max"]))
        for row in seed()
        if row["unit"] == "score"
    )
    assert [kpi_id for kpi_id, _, _ in vq.SCORE_SCALES] == ["nps", "ces", "cx_rating"]
    # every percent KPI of the seed is on the 0-100 scale the gate checks
    for row in seed():
        if row["unit"] == "percent":
            assert (row["value_min"], row["value_max"]) == ("0", "100"), row["kpi_id"]
    value_ranges = [r for r in vq.MARTS[0].ranges if r.column == "value"]
    assert [(r.kpis, r.low, r.high) for r in value_ranges] == [
        (vq.PERCENT_KPIS, 0, 100),
        (("nps",), -100.0, 100.0),
        (("ces",), 1.0, 7.0),
        (("cx_rating",), 1.0, 5.0),
    ]


def test_kpi_values_yaml_lists_equal_the_seed():
    text = (KPI_MARTS / "_kpis__models.yml").read_text(encoding="utf-8")
    kpi_values = yaml.safe_load(text)["models"][0]
    assert kpi_values["name"] == "kpi_values"
    # the unit lists of the description, one line per unit
    units = {
        "percent": r"percent, 0-100: ([\w, ]+)\.",
        "score": r"score \(.*?\): ([\w, ]+)\.",
        "currency": r"currency of the exports: ([\w, ]+)\.",
        "count": r"count: ([\w, ]+)\.",
        "seconds": r"seconds \(.*?\): ([\w, ]+)\.",
    }
    for unit, pattern in units.items():
        match = re.search(pattern, kpi_values["description"])
        assert match, unit
        assert match.group(1).split(", ") == seed_ids(unit=unit), unit
    # the range tests: the percent list, then one test per bounded score
    expressions = [
        test["cx_warehouse.expression_is_true"]["arguments"]["expression"]
        for test in kpi_values["data_tests"]
        if "cx_warehouse.expression_is_true" in test
    ]
    percent = re.search(r"kpi_id not in \((.*?)\) or value between 0 and 100", expressions[1])
    assert percent
    assert re.findall(r"'(\w+)'", percent.group(1)) == seed_ids(unit="percent")
    # one range test per score KPI of the seed, with the seed's bounds
    for row in seed():
        if row["unit"] == "score":
            low, high = int(float(row["value_min"])), int(float(row["value_max"]))
            expected = rf"kpi_id (!= '{row['kpi_id']}'|not in \('{row['kpi_id']}'\))"
            expected += rf" or value between {low} and {high}"
            assert [e for e in expressions if re.fullmatch(expected, e)], row["kpi_id"]
    # only nps has a negative value_min in the seed
    assert [row["kpi_id"] for row in seed() if float(row["value_min"]) < 0] == ["nps"]
    assert expressions[5] == "kpi_id = 'nps' or value >= 0"


def readme_kpi_table() -> list[str]:
    """kpi_ids of the README's KPI table (the table whose header starts with | kpi_id |)."""
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| kpi_id |"))
    ids = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        ids.append(line.split("|")[1].strip())
    return ids


def test_the_readme_kpi_table_lists_exactly_the_seed_kpis():
    assert sorted(readme_kpi_table()) == sorted(seed_ids())
    assert len(readme_kpi_table()) == 44


def expected_columns(mart: str, sql: str) -> list[str]:
    """The columns pivot_kpi_values writes for the mart's KPIs of the seed."""
    with_percentiles = "with_percentiles=true" in sql
    columns = list(KEY_COLUMNS)
    for kpi_id in family_mart_ids(mart.removeprefix("kpi_")):
        columns.append(kpi_id)
        if with_percentiles:
            columns += [f"{kpi_id}_p50", f"{kpi_id}_p90"]
        columns += [f"{kpi_id}_{suffix}" for suffix in ("sample_size", "ci_low", "ci_high")]
        columns.append(f"{kpi_id}_is_low_sample")
    return columns


def test_published_wide_marts_have_the_seed_kpi_columns_in_order(
    e2e_warehouse: Path, query: Callable[[Path, str], list[tuple]]
):
    for mart, sql in wide_marts().items():
        published = [
            name
            for (name,) in query(
                e2e_warehouse,
                "select column_name from information_schema.columns"
                f" where table_schema = 'marts' and table_name = '{mart}'"
                " order by ordinal_position",
            )
        ]
        assert published == expected_columns(mart, sql), mart
    # kpi_relationship: 4 key columns + 10 KPIs x 5 columns (value, sample, CI, low-sample flag)
    assert len(expected_columns("kpi_relationship", wide_marts()["kpi_relationship"])) == 54
    # kpi_call_centre: 4 key columns + 3 rates x 5 columns
    assert len(expected_columns("kpi_call_centre", wide_marts()["kpi_call_centre"])) == 19


def test_the_relationship_mart_publishes_referral_rate_of_the_fixture(
    e2e_warehouse: Path, query: Callable[[Path, str], list[tuple]]
):
    # crm_customers.csv of tests/exports/e2e (duplicate rows of C2 and C3 count once), signed up
    # in 2023: C1, C2 (June), C3 (Aug, acquisition_channel referral), C4 (Sep), C6 (Nov).
    # 2023: 1 referral / 5 acquired = 20 %; Q3 2023: C3 and C4, 1 / 2 = 50 %.
    published = query(
        e2e_warehouse,
        "select period_grain, cast(period_start as varchar), referral_rate,"
        " referral_rate_sample_size from marts.kpi_relationship"
        " where dimension = 'all' and period_start in ('2023-01-01', '2023-07-01')"
        " and period_grain in ('year', 'quarter') order by period_grain, period_start",
    )
    assert published == [("quarter", "2023-07-01", 50.0, 2.0), ("year", "2023-01-01", 20.0, 5.0)]
