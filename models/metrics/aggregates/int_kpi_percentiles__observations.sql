-- The p50 and p90 of the time KPIs' measures (int_kpi_observations with a measure) per KPI,
-- period of every grain and breakdown; kpi_values joins them to the sums of
-- int_kpi_aggregates__observations.
-- Exact percentiles hold every value of their groups in memory, and DuckDB holds the groups of
-- every part of one query at once. So the model's query computes the first grain of var
-- kpi_period_grains, and one post-hook per further grain appends that grain's rows
-- (macros/kpi/kpi_percentile_hooks.sql): one grain's values in memory at a time.
-- Incremental (append): a run recomputes the periods int_kpi_aggregates__observations has just
-- replaced (their _computed_at is the run's start); a pre-hook deletes them first.
-- depends_on: {{ ref('int_kpi_aggregates__observations') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook='{{ clear_kpi_percentile_periods() }}',
    post_hook=kpi_percentile_hooks(),
) }}
{%- set first_grain = var('kpi_period_grains')[0] %}

with

measured as (
    select * from {{ ref('int_kpi_observations') }}
    where measure is not null
),
{%- if is_incremental() %}

-- the periods the aggregates replaced in this run
periods as (
    select distinct
        period_grain,
        period_start
    from {{ ref('int_kpi_aggregates__observations') }}
    where _computed_at = {{ run_stamp() }}
),

-- computed once for every breakdown (DuckDB materialises a CTE read several times)
measured_in_periods as (
    select * from measured
    where {{ kpi_period_filter(first_grain, 'metric_date', 'periods') }}
),
{%- else %}

-- a full build: every breakdown reads the observations in place (materialising them all would
-- cost memory and time)
measured_in_periods as {{ inlined_cte() }} (
    select * from measured
),
{%- endif %}

final as (
    {{ kpi_observation_percentiles('measured_in_periods', grains=[first_grain]) }}  -- noqa: PRS
)

select * from final
