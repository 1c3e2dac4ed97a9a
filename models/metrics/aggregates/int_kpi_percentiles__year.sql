-- p50 and p90 of the time KPIs (observations with a measure) at the year grain, per breakdown.
-- One model per grain: percentiles keep every value of a group in memory, so the grains are
-- built one after another (each depends on the previous one) rather than in one query.
-- Incremental by period: an incremental run recomputes only the periods holding a metric_date
-- whose observations changed (macros/kpi/incremental_periods.sql).
-- depends_on: {{ ref('int_kpi_percentiles__quarter') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
) }}

with

percentiles as (
    {{ kpi_observation_percentiles(
        ref('int_kpi_observations'), grains=['year'], periods=kpi_changed_periods(['year'])
    ) }}  -- noqa: PRS
),

final as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from percentiles
)

select * from final
