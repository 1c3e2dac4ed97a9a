-- Observation-based KPIs rolled up to every period grain and breakdown: the sums here, the
-- percentiles of time KPIs from the int_kpi_percentiles__<grain> models (materialised one grain
-- at a time: at millions of observations one query holding every roll-up exhausts memory).
-- Incremental by period: an incremental run recomputes only the periods (of every grain) holding
-- a metric_date whose observations changed, and replaces their rows
-- (macros/kpi/incremental_periods.sql, docs/architecture.md "Incremental KPI aggregates"). The sums
-- of a coarser period add up its days: the changed days are regrouped from the observations,
-- the others read from this model's own day rows (an appended day regroups one day, not the
-- whole year that holds it).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
) }}
{%- set grains = var('kpi_period_grains') %}
{%- set changed_periods = kpi_changed_periods() %}
{%- set stored = this if is_incremental() else none %}{# the day rows of earlier runs #}

with

percentiles as (
    {%- for grain in grains %}
    select * from {{ ref('int_kpi_percentiles__' ~ grain) }}
    where {{ in_kpi_periods('period_grain', 'period_start', changed_periods) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

sums as (
    {{ kpi_observation_sums(ref('int_kpi_observations'), changed_periods, stored_daily_sums=stored) }}  -- noqa: PRS
),

final as (
    select
        sums.kpi_id,
        sums.period_grain,
        sums.period_start,
        sums.dimension,
        sums.dimension_value,
        sums.numerator,
        sums.denominator,
        sums.squares,
        percentiles.p50_value,
        percentiles.p90_value,
        {{ run_stamp() }} as _computed_at
    from sums
    left join percentiles
        on
            sums.kpi_id = percentiles.kpi_id
            and sums.period_grain = percentiles.period_grain
            and sums.period_start = percentiles.period_start
            and sums.dimension = percentiles.dimension
            and sums.dimension_value = percentiles.dimension_value
    -- a dimension that does not apply to a KPI leaves null values: no row for it
    where sums.dimension_value is not null
)

select * from final
