-- The long KPI mart, the stable interface for BI tools (kpi-catalog.md "How KPIs are
-- published"): one row per kpi_id × period_grain × period_start × dimension × dimension_value,
-- with its target (seed kpi_targets) and the previous period's value. A period without data
-- for a KPI has no row.
-- A view of the published columns of int_kpi_values__published, which is incremental by period
-- and keeps the bookkeeping columns (is_from_observations, _computed_at) out of this interface.
{{ config(materialized='view') }}

with

published_rows as (
    select * from {{ ref('int_kpi_values__published') }}
),

final as (
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        value,
        p50_value,
        p90_value,
        numerator,
        denominator,
        ci_low,
        ci_high,
        is_low_sample,
        target_value,
        is_target_met,
        previous_value,
        change
    from published_rows
)

select * from final
