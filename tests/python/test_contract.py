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


def test_every_contract_table_has_one_staging_model():
    for table in load_contract().values():
        folder = PROJECT_ROOT / "models" / "staging" / table.source
        assert not (folder / "base").exists(), table.source
        staging = [
            path
            for path in folder.glob("stg_*.sql")
            if f"stage_raw_table('{table.source}', '{table.name}')" in path.read_text()
        ]
        assert len(staging) == 1, table.name


# the staging models kept incremental: the 8 largest tables (at 2,000,000 tickets 0.8 M to
# 15.1 M rows); the other 6 (0.6 M rows and fewer) are plain tables, rebuilt every run
INCREMENTAL_STAGING = {
    "stg_helpdesk__ticket_events",
    "stg_engagement__events",
    "stg_helpdesk__tickets",
    "stg_telephony__calls",
    "stg_survey__invitations",
    "stg_shop__orders",
    "stg_self_service__sessions",
    "stg_chat__sessions",
}


def test_staging_models_are_delete_insert_by_row_or_plain_tables():
    incremental_config = (
        "{{ config(materialized='incremental', unique_key='_row_key',"
        " incremental_strategy='delete+insert') }}"
    )
    materialisations: dict[str, str] = {}
    for path in (PROJECT_ROOT / "models" / "staging").glob("*/stg_*.sql"):
        text = path.read_text()
        if "stage_raw_table(" not in text:
            continue  # the loader's log views
        if incremental_config in text:
            materialisations[path.stem] = "incremental"
        elif "{{ config(materialized='table') }}" in text:
            materialisations[path.stem] = "table"
    assert len(materialisations) == 14
    incremental = {name for name, kind in materialisations.items() if kind == "incremental"}
    assert incremental == INCREMENTAL_STAGING
