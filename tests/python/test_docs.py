"""The README and the kpi_values YAML document every kpi_id of the catalog seed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

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


def test_readme_is_user_documentation_of_at_most_250_lines():
    # what it is, the two commands, own exports, BI access, the KPI list and the latest
    # performance table; history belongs in git and bench_results/
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert not re.search(r"issue #\d+", readme)


def test_kpi_values_yaml_states_the_unit_of_every_kpi():
    yaml_text = (PROJECT_ROOT / "models" / "metrics" / "kpis" / "_kpis__models.yml").read_text(
        encoding="utf-8"
    )
    description = yaml_text.split("data_tests:")[0]
    for row in catalog():
        assert row["kpi_id"] in description, f"kpi_values YAML lacks {row['kpi_id']}'s unit"


def defined_macros() -> dict[str, list[str]]:
    """Macros of macros/ and generic tests of tests/generic/ (as test_<name>), with their
    argument names; a dispatched implementation (default__, duckdb__, spark__) is documented
    under its macro. A macro whose name starts with _ is private to its file: documenting it is
    optional."""
    signature = re.compile(r"{%-?\s*(macro|test)\s+(\w+)\(([^)]*)\)")
    macros: dict[str, list[str]] = {}
    files = [*PROJECT_ROOT.glob("macros/**/*.sql"), *PROJECT_ROOT.glob("tests/generic/*.sql")]
    for path in files:
        for kind, name, arguments in signature.findall(path.read_text(encoding="utf-8")):
            if kind == "test":
                name = f"test_{name}"
            if re.match(r"(default|duckdb|spark)__", name):
                continue
            names = [argument.split("=")[0].strip() for argument in arguments.split(",")]
            macros[name] = [argument for argument in names if argument]
    return macros


def test_every_macro_is_documented_with_its_arguments():
    documented = {
        entry["name"]: entry
        for entry in yaml.safe_load(
            (PROJECT_ROOT / "macros" / "_macros.yml").read_text(encoding="utf-8")
        )["macros"]
    }
    macros = defined_macros()
    public = {name for name in macros if not name.startswith("_")}
    assert sorted(public - set(documented)) == []
    assert sorted(set(documented) - set(macros)) == []
    for name, arguments in macros.items():
        if name not in documented:
            continue
        assert documented[name].get("description"), name
        # a generic test's model and column_name come from where it is applied
        expected = [
            a for a in arguments if not (name.startswith("test_") and a in {"model", "column_name"})
        ]
        listed = [argument["name"] for argument in documented[name].get("arguments", [])]
        assert listed == expected, name
