-- Every KPI observation (the int_kpi_observations__<family> models of kpi_observation_models(),
-- one shape, see macros/kpi/aggregate_kpi_observations.sql) rolled up to every period grain and
-- breakdown: the sums (grouped once by day, the coarser grains added up from the days) and the
-- p50/p90 of the time KPIs. The query computes the percentiles of the first grain (day); a
-- post-hook per further grain fills in theirs, one grain per statement, because DuckDB holds
-- the values of every percentile of one query at once (macros/kpi/kpi_percentile_hooks.sql).
-- Incremental by period (delete+insert on period_grain and period_start): each day's 'all' row
-- keeps a checksum of that day's observations; a run recomputes the checksums of all days, and
-- a day whose checksum differs from the stored one (new, changed or lost observations) is a
-- changed day. The run groups the observations of the changed days only, adds the stored day
-- rows of the other days, and replaces the periods of every grain that hold a changed day
-- (docs/architecture.md "Incremental KPI aggregates"). A period left without any observation
-- keeps its old rows until the next full build (delete+insert deletes only the periods it
-- inserts).
-- Built after the relationship aggregates, the other model that needs gigabytes, so that dbt
-- never runs the two at once.
-- depends_on: {{ ref('int_kpi_aggregates__customer_events') }}
-- depends_on: {{ ref('int_kpi_aggregates__customer_value') }}
-- depends_on: {{ ref('int_kpi_aggregates__engagement') }}
{{ config(
    materialized='incremental',
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=kpi_percentile_hooks(),
) }}
{%- set sums = kpi_observation_sums_map() %}
{%- set changed_periods = 'changed_periods' if is_incremental() else none %}
{%- set first_grain = var('kpi_period_grains')[0] %}
{%- set grouped = 'changed_observations' if is_incremental() else 'observations' %}
{%- set rolled_up = 'all_day_sums' if is_incremental() else 'day_sums' %}

with

observations as {{ inlined_cte() }} (
    {{- kpi_observations() }}
),

-- per KPI and day, a checksum of its observations (every breakdown and value): the sum of their
-- row hashes, so a new, lost, moved or changed observation changes it
day_checksums as {{ materialized_cte() }} (
    select
        kpi_id,
        metric_date,
        cast(sum(
            hash(
                {%- for column in kpi_dimensions().values() %}
                {{ column }},
                {%- endfor %}
                numerator,
                denominator,
                measure
            ) % 1000000007
        ) as bigint) as observations_checksum
    from observations
    group by kpi_id, metric_date
),
{%- if is_incremental() %}

stored_checksums as (
    select
        kpi_id,
        period_start as metric_date,
        observations_checksum
    from {{ this }}
    where period_grain = 'day' and dimension = 'all'
),

-- the days whose checksum differs from the stored one, both ways (a day that lost every row too)
changed_days as {{ materialized_cte() }} (
    select metric_date
    from (
        select * from day_checksums
        except
        select * from stored_checksums
    ) as new_or_changed
    union
    select metric_date
    from (
        select * from stored_checksums
        except
        select * from day_checksums
    ) as changed_or_lost
),

changed_periods as {{ materialized_cte() }} (
    {%- for grain in var('kpi_period_grains') %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'metric_date') }} as period_start
    from changed_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- the observations of the changed days: the only ones grouped again
changed_observations as {{ materialized_cte() }} (
    select * from observations
    where metric_date in (select changed_days.metric_date from changed_days)
),

-- the time-KPI observations of the changed periods of the first grain, read once by every
-- breakdown's percentiles
measured as {{ inlined_cte() }} (
    select * from changed_observations
    where measure is not null
),
{%- else %}

-- a full build: every breakdown's percentiles read the observations in place (materialising them
-- all would cost memory and time)
measured as {{ inlined_cte() }} (
    select * from observations
    where measure is not null
),
{%- endif %}

-- Σ numerator, Σ denominator, Σ numerator² per KPI, day and breakdown (of the changed days in an
-- incremental run); a breakdown that does not apply to a KPI (null values) has no row
day_sums as {{ materialized_cte() }} (
    select * from (
        {{ rollup_day_rows(grouped, 'metric_date', kpi_dimensions(), sums, keys=['kpi_id']) }}  -- noqa: PRS
    ) as day_rows
    where dimension_value is not null
),
{%- if is_incremental() %}

-- the day rows the coarser grains add up: the fresh ones of the changed days, the stored ones of
-- every other day
all_day_sums as (
    select * from day_sums
    union all
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        numerator,
        denominator,
        squares
    from {{ this }}
    where
        period_grain = 'day'
        and period_start not in (select changed_days.metric_date from changed_days)
),
{%- endif %}

period_sums as (
    {{ rollup_day_sums(rolled_up, 'period_start', sums, keys=['kpi_id'], periods=changed_periods) }}  -- noqa: PRS
),

-- the first grain's; the post-hooks fill in the other grains' (null until then)
period_percentiles as (
    {{ kpi_observation_percentiles('measured', grains=[first_grain], periods=changed_periods) }}  -- noqa: PRS
),

final as (
    select
        period_sums.kpi_id,
        period_sums.period_grain,
        period_sums.period_start,
        period_sums.dimension,
        period_sums.dimension_value,
        period_sums.numerator,
        period_sums.denominator,
        period_sums.squares,
        period_percentiles.p50_value,
        period_percentiles.p90_value,
        day_checksums.observations_checksum
    from period_sums
    left join period_percentiles
        on
            period_sums.kpi_id = period_percentiles.kpi_id
            and period_sums.period_grain = period_percentiles.period_grain
            and period_sums.period_start = period_percentiles.period_start
            and period_sums.dimension = period_percentiles.dimension
            and period_sums.dimension_value = period_percentiles.dimension_value
    left join day_checksums
        on
            period_sums.period_grain = 'day'
            and period_sums.dimension = 'all'
            and period_sums.kpi_id = day_checksums.kpi_id
            and period_sums.period_start = day_checksums.metric_date
)

select * from final
