-- The long KPI mart, the stable interface for BI tools (kpi-catalog.md "How KPIs are
-- published"): one row per kpi_id × period_grain × period_start × dimension × dimension_value,
-- with its target (seed kpi_targets) and the previous period's value. A period without data
-- for a KPI has no row.
with

kpi_rows as (
    select * from {{ ref('int_kpi_values') }}
),

definitions as (
    select * from {{ ref('kpi_definitions') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
),

with_previous as (
    select
        kpi_rows.*,
        previous_rows.value as previous_value
    from kpi_rows
    left join kpi_rows as previous_rows
        on
            kpi_rows.kpi_id = previous_rows.kpi_id
            and kpi_rows.period_grain = previous_rows.period_grain
            and kpi_rows.dimension = previous_rows.dimension
            and kpi_rows.dimension_value = previous_rows.dimension_value
            and {{ previous_period_start('kpi_rows.period_grain', 'kpi_rows.period_start') }}
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
        value - previous_value as change
    from with_targets
)

select * from final
