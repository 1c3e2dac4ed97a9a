"""The machine-readable contract (source YAML) matches the published raw contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from raw_contract import load_contract

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_DOC = PROJECT_ROOT.parent / "shared" / "docs" / "raw-contract.md"


def documented_tables() -> dict[str, list[str]]:
    text = CONTRACT_DOC.read_text(encoding="utf-8")
    tables: dict[str, list[str]] = {}
    for match in re.finditer(
        r"`(\w+)` — .*?\n\| column \| meaning \|\n\|---\|---\|\n((?:\|.*\|\n)+)", text
    ):
        columns: list[str] = []
        for line in match.group(2).strip().splitlines():
            columns += [name.strip() for name in line.strip("|").split("|")[0].split(",")]
        tables[match.group(1)] = columns
    return tables


def test_every_documented_table_and_column_is_in_the_contract():
    if not CONTRACT_DOC.exists():  # the spec lives beside the repo, in ../shared
        pytest.skip(f"{CONTRACT_DOC} is not beside this checkout")
    documented = documented_tables()
    contract = load_contract()
    assert len(documented) == 14
    assert {name: table.column_names for name, table in contract.items()} == documented


def test_raw_table_models_macro_lists_every_contract_table():
    macro = (PROJECT_ROOT / "macros" / "staging" / "raw_table_models.sql").read_text()
    listed = set(re.findall(r"'table': '(\w+)'", macro))
    assert listed == set(load_contract())


def test_every_contract_table_has_a_base_and_a_staging_model():
    for table in load_contract().values():
        folder = PROJECT_ROOT / "models" / "staging" / table.source
        assert list(folder.glob("base/base_*.sql")), table.name
        assert any(
            f"'{table.name}'" in path.read_text() for path in folder.glob("base/base_*.sql")
        ), table.name
