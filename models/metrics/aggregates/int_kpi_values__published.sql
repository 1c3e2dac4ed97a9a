-- The rows of the kpi_values mart (kpi-catalog.md "How KPIs are published") with their
-- bookkeeping: one row per kpi_id × period_grain × period_start × dimension × dimension_value,
-- with its target (seed kpi_targets) and the previous period's value, is_from_observations and
-- _computed_at. kpi_values is a view of its published columns.
-- Incremental (docs/architecture.md "Incremental builds"): a run republishes every row that is not
-- from the observation aggregates (those aggregate models are small and rebuilt every run) and,
-- of the observation-based KPIs, the periods whose observations changed and the period after
-- each (its previous_value and change read them); strategy 'republish_kpi_periods' deletes the
-- same rows first. A changed seed kpi_definitions or kpi_targets, or var kpi_min_sample_size
-- (setting group kpi_publication), republishes every row.
{{ config(
    materialized='incremental',
    incremental_strategy='republish_kpi_periods',
    setting_groups=['kpi_publication'],
    on_schema_change='fail',
) }}
{%- set republished_periods = kpi_periods_to_republish(['kpi_publication']) %}{# none = every row #}
{%- set read_periods = kpi_adjacent_periods(republished_periods, 'previous') %}

with

kpi_rows as (
    -- the republished rows and the rows of the periods before them
    select * from {{ ref('int_kpi_values') }}
    where
        not is_from_observations
        or {{ in_kpi_periods('period_grain', 'period_start', read_periods) }}
),

definitions as (
    select * from {{ ref('kpi_definitions') }}
),

targets as {{ inlined_cte() }} (
    select * from {{ ref('kpi_targets') }}
),

republished_rows as (
    select * from kpi_rows
    where
        not is_from_observations
        or {{ in_kpi_periods('period_grain', 'period_start', republished_periods) }}
),

with_previous as (
    select
        republished_rows.*,
        previous_rows.value as previous_value
    from republished_rows
    left join kpi_rows as previous_rows
        on
            republished_rows.kpi_id = previous_rows.kpi_id
            and republished_rows.period_grain = previous_rows.period_grain
            and republished_rows.dimension = previous_rows.dimension
            and republished_rows.dimension_value = previous_rows.dimension_value
            and {{ previous_period_start('republished_rows.period_grain', 'republished_rows.period_start') }}
            = previous_rows.period_start
),

with_targets as (
    select
        with_previous.*,
        -- a target for the exact breakdown wins over the KPI-wide target (blank dimension)
        coalesce(specific_targets.target_value, general_targets.target_value) as target_value,
        coalesce(
            specific_targets.good_direction,
            general_targets.good_direction,
            definitions.good_direction
        ) as good_direction
    from with_previous
    inner join definitions
        on with_previous.kpi_id = definitions.kpi_id
    left join targets as specific_targets
        on
            with_previous.kpi_id = specific_targets.kpi_id
            and with_previous.dimension = specific_targets.dimension
            and with_previous.dimension_value = specific_targets.dimension_value
    left join targets as general_targets
        on
            with_previous.kpi_id = general_targets.kpi_id
            and general_targets.dimension is null
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
        case
            when target_value is null or value is null then null
            when good_direction = 'lower' then value <= target_value
            else value >= target_value
        end as is_target_met,
        previous_value,
        value - previous_value as change,
        is_from_observations,
        {{ run_stamp() }} as _computed_at
    from with_targets
)

select * from final
