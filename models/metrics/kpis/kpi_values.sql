-- The long KPI mart, the stable interface for BI tools (kpi-catalog.md "How KPIs are
-- published"): one row per kpi_id × period_grain × period_start × dimension × dimension_value,
-- with its value, 95 % confidence interval (clipped to the KPI's scale) and low-sample flag
-- computed by the formulas of macros/kpi/kpi_formulas.sql for the KPI's method (seed
-- kpi_definitions), its target (seed kpi_targets) and the previous period's value. A period
-- without data for a KPI has no row. A table, rebuilt every run from the KPI aggregates.

with

observation_aggregates as (
    select * from {{ ref('int_kpi_aggregates__observations') }}
),

customer_base_aggregates as (
    select * from {{ ref('int_kpi_aggregates__customer_base') }}
),

ticket_snapshot_aggregates as (
    select * from {{ ref('int_kpi_aggregates__ticket_snapshots') }}
),

channel_share_aggregates as (
    select * from {{ ref('int_kpi_aggregates__channel_share') }}
),

customer_event_aggregates as (
    select * from {{ ref('int_kpi_aggregates__customer_events') }}
),

customer_value_aggregates as (
    select * from {{ ref('int_kpi_aggregates__customer_value') }}
),

engagement_aggregates as (
    select * from {{ ref('int_kpi_aggregates__engagement') }}
),

definitions as (
    select * from {{ ref('kpi_definitions') }}
),

targets as {{ inlined_cte() }} (
    select * from {{ ref('kpi_targets') }}
),

-- the common columns, by position: the observation aggregates also keep a checksum per day
aggregates as (
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        numerator,
        denominator,
        squares,
        p50_value,
        p90_value
    from observation_aggregates
    union all
    select * from customer_base_aggregates
    union all
    select * from ticket_snapshot_aggregates
    union all
    select * from channel_share_aggregates
    union all
    select * from customer_event_aggregates
    union all
    select * from customer_value_aggregates
    union all
    select * from engagement_aggregates
),

computed as (
    select
        aggregates.kpi_id,
        aggregates.period_grain,
        aggregates.period_start,
        aggregates.dimension,
        aggregates.dimension_value,
        {{ kpi_value('definitions.method', 'aggregates.numerator', 'aggregates.denominator') }} as value,
        aggregates.p50_value,
        aggregates.p90_value,
        aggregates.numerator,
        aggregates.denominator,
        {{ kpi_ci_low('definitions.method', 'aggregates.numerator', 'aggregates.denominator', 'aggregates.squares') }}
            as unclipped_ci_low,
        {{ kpi_ci_high('definitions.method', 'aggregates.numerator', 'aggregates.denominator', 'aggregates.squares') }}
            as unclipped_ci_high,
        {{ kpi_is_low_sample('definitions.method', 'aggregates.denominator') }} as is_low_sample,
        definitions.value_min,
        definitions.value_max
    from aggregates
    inner join definitions
        on aggregates.kpi_id = definitions.kpi_id
),

kpi_rows as (
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
        -- an interval never leaves the KPI's scale (seed kpi_definitions: value_min, value_max),
        -- e.g. a t interval of a CES mean from two responses stays within 1..7
        case
            when unclipped_ci_low is not null and value_min is not null then greatest(unclipped_ci_low, value_min)
            else unclipped_ci_low
        end as ci_low,
        case
            when unclipped_ci_high is not null and value_max is not null then least(unclipped_ci_high, value_max)
            else unclipped_ci_high
        end as ci_high,
        is_low_sample
    from computed
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
