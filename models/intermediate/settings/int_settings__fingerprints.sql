-- One row per group of settings (int_settings__values: seed rows and vars that incremental models
-- read for every row they hold) with a fingerprint of the group, stamped (_computed_at) by the run
-- in which it last changed (key_fingerprints(), as for the observation dates). A model reading a
-- group recomputes all its rows in the first run after the group changed
-- (settings_changed_since_last_run()), so an edited SLA policy or business-hours seed, or a
-- changed var, needs no --full-refresh.
{{ config(
    materialized='incremental',
    unique_key='setting_group',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{{ key_fingerprints(ref('int_settings__values'), 'setting_group', ['setting_name', 'value_hash']) }}
