-- The sums of the observation KPIs (numerator, denominator, squares) rolled up to every period
-- grain and breakdown: grouped once by day, coarser grains added up from the days
-- (macros/kpi/aggregate_kpi_observations.sql). int_kpi_aggregates__observations joins the
-- percentiles to them. A model of its own so that it runs beside the percentile chain rather
-- than after it; scheduled after the day percentiles, so that in a full build it never runs
-- beside the relationship aggregates (memory, DECISIONLOG.md "Incremental KPI aggregates").
-- Incremental by period: an incremental run recomputes only the periods (of every grain)
-- holding a metric_date whose observations changed, and replaces their rows
-- (macros/kpi/incremental_periods.sql).
-- depends_on: {{ ref('int_kpi_percentiles__day') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
) }}

with

sums as (
    {{ kpi_observation_sums(ref('int_kpi_observations'), periods=kpi_changed_periods()) }}  -- noqa: PRS
),

final as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from sums
    -- a dimension that does not apply to a KPI leaves null values: no row for it
    where dimension_value is not null
)

select * from final
