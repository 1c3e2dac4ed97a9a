-- One row per metric_date of the KPI observations: how many there are (row_count) and a
-- fingerprint of all of them (the sum of their row hashes), with _computed_at, the start of the
-- latest run in which the date's observations changed. The period-incremental aggregates
-- recompute the periods that hold a date stamped after their own last run
-- (macros/kpi/incremental_periods.sql). A date whose observations all disappear stays, with 0
-- rows, so that its periods are redone.
{{ config(
    materialized='incremental',
    unique_key='metric_date',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set observation_columns = ['kpi_id'] + (kpi_dimensions().values() | list)
    + ['numerator', 'denominator', 'measure'] %}

{{ date_fingerprints(ref('int_kpi_observations'), 'metric_date', observation_columns) }}
