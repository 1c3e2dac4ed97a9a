-- p50 and p90 of the time KPIs (observations with a measure) at the day grain, per breakdown.
-- One model per grain: percentiles keep every value of a group in memory, so the grains are
-- built one after another (each depends on the previous one) rather than in one query.
-- Incremental by period: an incremental run recomputes only the periods holding a metric_date
-- whose observations changed (macros/kpi/incremental_periods.sql).
-- The chain starts after the relationship aggregates, the other model that needs gigabytes: run
-- at the same time at 2 M tickets, the two went past DuckDB's memory limit, this model spilled
-- and took 130 s instead of 9 s.
-- depends_on: {{ ref('int_kpi_aggregates__relationship') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
) }}

with

percentiles as (
    {{ kpi_observation_percentiles(
        ref('int_kpi_observations'), grains=['day'], periods=kpi_changed_periods(['day'])
    ) }}  -- noqa: PRS
),

final as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from percentiles
)

select * from final
