"""The README and the kpi_values YAML document every kpi_id of the catalog seed."""

from __future__ import annotations

import csv
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def catalog() -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds" / "kpi_definitions.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_seed_holds_the_44_kpi_ids_of_the_catalog():
    assert len({row["kpi_id"] for row in catalog()}) == 44


def test_readme_lists_every_kpi_with_its_unit():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table_rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in readme.splitlines()
        if line.startswith("| ") and line.count("|") >= 5
    }
    for row in catalog():
        assert row["kpi_id"] in table_rows, f"README KPI table lacks {row['kpi_id']}"
        assert table_rows[row["kpi_id"]].startswith(row["unit"]), row["kpi_id"]


def test_kpi_values_yaml_states_the_unit_of_every_kpi():
    yaml_text = (PROJECT_ROOT / "models" / "marts" / "kpis" / "_kpis__models.yml").read_text(
        encoding="utf-8"
    )
    description = yaml_text.split("data_tests:")[0]
    for row in catalog():
        assert row["kpi_id"] in description, f"kpi_values YAML lacks {row['kpi_id']}'s unit"
