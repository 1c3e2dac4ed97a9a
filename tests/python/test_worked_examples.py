"""The articles' worked examples, from export files all the way to kpi_values.

- CSAT: 100 responses, 43 answer 4 and 29 answer 5 -> 72.
- NPS: 70 promoters, 20 passives, 10 detractors -> 60.
- Churn: 100 customers a year ago, 50 of them left within the 12 months -> 50 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_warehouse

RESPONSE_HEADER = (
    "response_id,invitation_id,survey_type,customer_id,ticket_id,responded_at,score,"
    "scale_min,scale_max,comment\n"
)


def csat_and_nps_responses() -> str:
    csat_scores = [4] * 43 + [5] * 29 + [3] * 14 + [2] * 9 + [1] * 5
    nps_scores = [10] * 40 + [9] * 30 + [8] * 12 + [7] * 8 + [6] * 5 + [3] * 3 + [0] * 2
    lines = [RESPONSE_HEADER]
    for index, score in enumerate(csat_scores):
        day = 1 + index % 28
        lines.append(f"CS{index},,csat,K{index},,2024-03-{day:02d}T12:00:00Z,{score},1,5,\n")
    for index, score in enumerate(nps_scores):
        day = 1 + index % 28
        lines.append(f"NP{index},,nps,K{index},,2024-03-{day:02d}T12:00:00Z,{score},0,10,\n")
    return "".join(lines)


def subscriptions() -> str:
    lines = ["subscription_id,customer_id,plan,started_at,ended_at,monthly_amount\n"]
    for index in range(100):
        # the first 50 leave during 2023, one every week from mid-January
        ended = ""
        if index < 50:
            month, day = 1 + index // 5, 10 + index % 5
            ended = f"2023-{month:02d}-{day:02d}T00:00:00Z"
        lines.append(f"S{index},K{index},basic,2022-01-01T00:00:00Z,{ended},10\n")
    return "".join(lines)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("worked_examples")
    (data / "survey_responses.csv").write_text(csat_and_nps_responses(), encoding="utf-8")
    (data / "crm_subscriptions.csv").write_text(subscriptions(), encoding="utf-8")
    return build_warehouse(data, data / "warehouse.duckdb")


@pytest.mark.parametrize(
    ("kpi_id", "grain", "start", "expected", "numerator", "denominator"),
    [
        ("csat", "month", "2024-03-01", 72.0, 72, 100),
        ("nps", "month", "2024-03-01", 60.0, 60, 100),
        ("churn_rate", "year", "2023-01-01", 50.0, 50, 100),
        ("retention_rate", "year", "2023-01-01", 50.0, 50, 100),
    ],
)
def test_worked_example(warehouse, query, kpi_id, grain, start, expected, numerator, denominator):
    rows = query(
        warehouse,
        "select value, numerator, denominator from marts.kpi_values"
        f" where kpi_id = '{kpi_id}' and period_grain = '{grain}' and period_start = '{start}'"
        " and dimension = 'all'",
    )
    assert rows == [(pytest.approx(expected), numerator, denominator)]
