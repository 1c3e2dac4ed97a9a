-- Σ numerator, Σ denominator and Σ numerator² (squares) of every KPI observation
-- (int_kpi_observations) per KPI, period of every grain and breakdown: the sums the formulas of
-- kpi_values turn into values and intervals. The observations are grouped once, by day, for the
-- total (dimension 'all') and for each of the nine breakdowns (one GROUPING SETS); the coarser
-- grains add up those day rows. The p50/p90 of the time KPIs are
-- int_kpi_percentiles__observations'.
-- Incremental by period: each day's 'all' row keeps a checksum of that day's observations; a
-- run recomputes the checksums of all days, and a day whose checksum differs from the stored
-- one (new, changed or lost observations) is a changed day. The run groups the observations of
-- the changed days only, adds the stored day rows of the other days, and appends the periods of
-- every grain that hold a changed day, stamped with the run's start (_computed_at); the
-- post-hook then deletes the older rows of those periods (docs/architecture.md "Incremental KPI
-- aggregates"). dbt's delete+insert on (period_grain, period_start) would join every stored row
-- of a period with every new one: 5.9 s of an appended day at 2 M tickets.
-- A period left without any observation keeps its old rows until the next full build.
-- Built after the relationship aggregates, the other model that needs gigabytes, so that dbt
-- never runs the two at once.
-- depends_on: {{ ref('int_kpi_aggregates__customer_events') }}
-- depends_on: {{ ref('int_kpi_aggregates__customer_value') }}
-- depends_on: {{ ref('int_kpi_aggregates__engagement') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    post_hook="""
        {%- if is_incremental() %}
        delete from {{ this }} as stored
        using (
            select distinct
                period_grain,
                period_start
            from {{ this }}
            where _computed_at = {{ run_stamp() }}
        ) as replaced
        where
            stored.period_grain = replaced.period_grain
            and stored.period_start = replaced.period_start
            and stored._computed_at <> {{ run_stamp() }}
        {%- endif %}
    """,
) }}

with

-- every observation, for the day checksums
observations as (
    select * from {{ ref('int_kpi_observations') }}
),

-- per KPI and day, a checksum of its observations (every breakdown and value): the sum of their
-- row hashes, so a new, lost, moved or changed observation changes it
day_checksums as (
    select
        kpi_id,
        metric_date,
        cast(sum(
            hash(
                channel,
                team,
                agent_id,
                category,
                priority,
                customer_tier,
                survey_type,
                hour_of_day,
                day_of_week,
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
changed_days as (
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

{%- endif %}

-- the observations grouped again: those of the changed days (of every day in a full build). An
-- import of its own: DuckDB reads a CTE used once in place, but copies one used twice.
observations_to_group as (
    select * from {{ ref('int_kpi_observations') }}
    {%- if is_incremental() %}
    where metric_date in (select changed_days.metric_date from changed_days)
    {%- endif %}
),

-- Σ numerator, Σ denominator, Σ numerator² per KPI, day and breakdown
day_sums as (
    select
        kpi_id,
        'day' as period_grain,
        metric_date as period_start,
        case
            when grouping(channel) = 0 then 'channel'
            when grouping(team) = 0 then 'team'
            when grouping(agent_id) = 0 then 'agent'
            when grouping(category) = 0 then 'category'
            when grouping(priority) = 0 then 'priority'
            when grouping(customer_tier) = 0 then 'customer_tier'
            when grouping(survey_type) = 0 then 'survey_type'
            when grouping(hour_of_day) = 0 then 'hour_of_day'
            when grouping(day_of_week) = 0 then 'day_of_week'
            else 'all'
        end as dimension,
        case
            when grouping(channel) = 0 then channel
            when grouping(team) = 0 then team
            when grouping(agent_id) = 0 then agent_id
            when grouping(category) = 0 then category
            when grouping(priority) = 0 then priority
            when grouping(customer_tier) = 0 then customer_tier
            when grouping(survey_type) = 0 then survey_type
            when grouping(hour_of_day) = 0 then hour_of_day
            when grouping(day_of_week) = 0 then day_of_week
            else 'all'
        end as dimension_value,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(numerator * numerator) as squares
    from observations_to_group
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS
    group by grouping sets (  -- noqa: PRS
        (kpi_id, metric_date),
        (kpi_id, metric_date, channel),
        (kpi_id, metric_date, team),
        (kpi_id, metric_date, agent_id),
        (kpi_id, metric_date, category),
        (kpi_id, metric_date, priority),
        (kpi_id, metric_date, customer_tier),
        (kpi_id, metric_date, survey_type),
        (kpi_id, metric_date, hour_of_day),
        (kpi_id, metric_date, day_of_week)
    )
),

-- a breakdown that does not apply to a KPI (null values) has no row
day_rows as (
    select * from day_sums
    where dimension_value is not null
),
{%- if is_incremental() %}

-- the day rows the coarser grains add up: the fresh ones of the changed days, the stored ones of
-- every other day
all_day_rows as (
    select * from day_rows
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
{%- else %}

all_day_rows as (
    select * from day_rows
),
{%- endif %}

-- the day rows added up to each grain of var kpi_period_grains (in an incremental run, only the
-- periods that hold a changed day)
period_sums as (
    {%- for grain in var('kpi_period_grains') %}
    select
        kpi_id,
        '{{ grain }}' as period_grain,
        cast(date_trunc('{{ grain }}', period_start) as date) as period_start,
        dimension,
        dimension_value,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(squares) as squares
    from all_day_rows
    {%- if is_incremental() %}
    where cast(date_trunc('{{ grain }}', period_start) as date) in (
        select cast(date_trunc('{{ grain }}', changed_days.metric_date) as date) from changed_days
    )
    {%- endif %}
    group by kpi_id, cast(date_trunc('{{ grain }}', period_start) as date), dimension, dimension_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
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
        day_checksums.observations_checksum,
        {{ run_stamp() }} as _computed_at
    from period_sums
    left join day_checksums
        on
            period_sums.period_grain = 'day'
            and period_sums.dimension = 'all'
            and period_sums.kpi_id = day_checksums.kpi_id
            and period_sums.period_start = day_checksums.metric_date
)

select * from final
