"""One settings hash decides when an appended load rebuilds every incremental model: a seed or a
var that differs from the last good build's (scripts/build_settings.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import build_settings
import pytest
import run_warehouse
from conftest import FIXTURES, rows

SERVICE_LEVEL_35 = "{service_level_threshold_seconds: 35}"


def project(root: Path, sla_rows: str, window: int) -> Path:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "seeds" / "sla_policies.csv").write_text(sla_rows, encoding="utf-8")
    (root / "seeds" / "holidays.csv").write_text("holiday_date\n2024-12-25\n", encoding="utf-8")
    (root / "dbt_project.yml").write_text(
        "vars:\n"
        f"  fcr_repeat_contact_window_days: {window}\n"
        "  pseudonymisation_salt: \"{{ env_var('X', '') }}\"\n",
        encoding="utf-8",
    )
    return root


def test_changed_names_the_seed_the_var_and_the_salt_that_differ(tmp_path):
    before = build_settings.settings_parts("s1", root=project(tmp_path / "a", "p,1\n", 7))
    # one seed edited, one var overridden, another salt: three parts differ, the rest not
    after = build_settings.settings_parts(
        "s2", {"fcr_repeat_contact_window_days": 3}, project(tmp_path / "b", "p,2\n", 7)
    )
    assert sorted(before) == [
        "code",
        "salt",
        "seed holidays.csv",
        "seed sla_policies.csv",
        "var fcr_repeat_contact_window_days",
    ]
    assert build_settings.changed(before, after) == [
        "salt",
        "seed sla_policies.csv",
        "var fcr_repeat_contact_window_days",
    ]
    assert build_settings.changed(before, dict(before)) == []
    assert build_settings.settings_hash(before) != build_settings.settings_hash(after)
    # an override equal to the project's value is no change
    same = build_settings.settings_parts(
        "s1", {"fcr_repeat_contact_window_days": 7}, project(tmp_path / "c", "p,1\n", 7)
    )
    assert build_settings.changed(before, same) == []


def test_a_changed_model_or_macro_changes_the_code_part(tmp_path):
    root = project(tmp_path, "p,1\n", 7)
    (root / "models").mkdir()
    (root / "models" / "m.sql").write_text("select 1 as x\n", encoding="utf-8")
    before = build_settings.settings_parts("s", root=root)
    (root / "models" / "m.sql").write_text("select 2 as x\n", encoding="utf-8")
    edited = build_settings.settings_parts("s", root=root)
    assert build_settings.changed(before, edited) == ["code"]
    # a renamed file is a change too, with the same content
    (root / "models" / "m.sql").rename(root / "models" / "n.sql")
    assert build_settings.changed(edited, build_settings.settings_parts("s", root=root)) == ["code"]


def test_no_recorded_settings_count_as_changed_and_the_salt_is_not_written(tmp_path):
    parts = build_settings.settings_parts("a-secret-salt", root=project(tmp_path, "p,1\n", 7))
    path = tmp_path / "settings.json"
    assert build_settings.changed(build_settings.read(path), parts) == ["no settings recorded"]
    build_settings.write(path, parts)
    assert build_settings.read(path) == parts
    assert "a-secret-salt" not in path.read_text(encoding="utf-8")


def test_vars_must_be_a_yaml_mapping():
    assert build_settings.parse_vars("{kpi_min_sample_size: 20}") == {"kpi_min_sample_size": 20}
    with pytest.raises(ValueError, match="mapping"):
        build_settings.parse_vars("20")
    with pytest.raises(ValueError, match="not YAML"):
        build_settings.parse_vars("{a: [")


def build(db: Path, *extra: str) -> int:
    args = ["--data", str(FIXTURES / "e2e"), "--db", str(db), "--skip-validation"]
    return run_warehouse.main([*args, "--no-summary", "--demo-salt", *extra])


def test_an_appended_load_with_a_changed_var_rebuilds_in_full(e2e_warehouse, tmp_path, capsys):
    """The e2e fixture's answered contacts waited 60 s (CL1), 30 s (CL2) and 40 s (CH1): all
    three within the default 60 s, only CL2 within 35 s. Appending the same export again with
    service_level_threshold_seconds 35 re-judges every contact, not only the new batch's (which
    holds only re-delivered duplicates), and gives the warehouse a full build gives."""
    within = (
        "select count(*) filter (where is_answered_within_threshold) from marts.fct_queue_contacts"
    )
    # a copy of the session's e2e build (built as build() builds)
    shutil.copytree(e2e_warehouse.parent, tmp_path / "appended", symlinks=True)
    db = tmp_path / "appended" / e2e_warehouse.name
    assert rows(db, within) == [(3,)]
    capsys.readouterr()

    assert build(db, "--append") == 0  # same settings: incremental
    assert "settings changed" not in capsys.readouterr().out

    assert build(db, "--append", "--vars", SERVICE_LEVEL_35) == 0
    out = capsys.readouterr().out
    assert "settings changed since the last build (var service_level_threshold_seconds)" in out
    assert rows(db, within) == [(1,)]

    full = tmp_path / "full.duckdb"
    assert build(full, "--vars", SERVICE_LEVEL_35) == 0
    for table in ("kpi_values", "fct_queue_contacts"):
        # lineage (_load_batch: the appended warehouse holds three batches) aside
        (columns,) = rows(
            full,
            "select string_agg(column_name, ', ' order by ordinal_position)"
            f" from information_schema.columns where table_name = '{table}'"
            " and not starts_with(column_name, '_')",
        )[0]
        differ = rows(
            db,
            f"attach '{full}' as full_build (read_only);"
            f" select (select count(*) from (select {columns} from marts.{table}"
            f" except all select {columns} from full_build.marts.{table}))"
            f" + (select count(*) from (select {columns} from full_build.marts.{table}"
            f" except all select {columns} from marts.{table}))",
        )
        assert differ == [(0,)], table
