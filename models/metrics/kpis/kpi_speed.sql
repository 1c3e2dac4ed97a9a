-- Speed KPIs side by side (wide) per period and breakdown: mean, p50 and p90 of every time KPI
-- (seconds), service_level and sla_attainment.
-- Incremental by period (pivot_kpi_values by_period): its KPIs all come from the observation
-- aggregates, so a run pivots only the periods whose observations changed.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    setting_groups=['kpi_publication'],
    on_schema_change='fail',
) }}
{{ pivot_kpi_values([
    'first_response_time', 'first_response_time_business', 'avg_response_time', 'resolution_time',
    'resolution_time_business', 'first_resolution_time', 'aht', 'asa', 'service_level', 'sla_attainment',
], with_percentiles=true, by_period=true) }}
