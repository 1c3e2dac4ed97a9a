-- Call-centre KPIs side by side (wide) per period and breakdown.
-- Incremental by period (pivot_kpi_values by_period): its KPIs all come from the observation
-- aggregates, so a run pivots only the periods whose observations changed.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    setting_groups=['kpi_publication'],
    on_schema_change='fail',
) }}
{{ pivot_kpi_values(
    ['answer_rate', 'abandon_rate', 'blockage_rate', 'aht', 'asa', 'service_level'],
    with_percentiles=true,
    by_period=true,
) }}
