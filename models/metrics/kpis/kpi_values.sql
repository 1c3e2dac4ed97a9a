-- The long KPI mart, the stable interface for BI tools (kpi-catalog.md "How KPIs are
-- published"): one row per kpi_id × period_grain × period_start × dimension × dimension_value,
-- with its value, 95 % confidence interval (clipped to the KPI's scale) and low-sample flag,
-- its target (seed kpi_targets) and the previous period's value. A period without data for a
-- KPI has no row. A table, rebuilt every run from the KPI aggregates.
-- The formulas, by the KPI's aggregation method (seed kpi_definitions, column method), are
-- written here and nowhere else; every KPI comes to them as three additive sums of its
-- observations:
--   numerator   Σ numerator      (successes for a share; Σx for a mean; Σ(+1/0/-1) for NPS)
--   denominator Σ denominator    (trials; sample size n)
--   squares     Σ numerator²     (Σx² for a mean; promoters + detractors for NPS)
-- Methods:
--   share          100 × numerator / denominator, Wilson score interval
--   nps            100 × numerator / denominator, normal interval from the standard error of the
--                  promoter − detractor difference: sqrt((p_P + p_D − (p_P − p_D)²) / n)
--   mean           numerator / denominator, t interval (normal from n ≥ 30)
--   ratio          numerator / denominator, no interval (a ratio of sums that is not a sample
--                  mean, e.g. clv; its denominator is still the sample size it rests on)
--   percent_ratio  100 × numerator / denominator, no interval (a percentage of sums whose
--                  denominator is not a count of trials, e.g. iqs: points earned / points possible)
--   count          numerator (no interval)
-- Double literals (e0): DuckDB would read a plain literal as an overflowing DECIMAL.

with

observation_aggregates as (
    select * from {{ ref('int_kpi_aggregates__observations') }}
),

observation_percentiles as (
    select * from {{ ref('int_kpi_percentiles__observations') }}
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

targets as (
    select * from {{ ref('kpi_targets') }}
),

-- the common columns, by position: the observation aggregates' sums with their percentiles (time
-- KPIs only), then the aggregates of every other family
aggregates as (
    select
        observation_aggregates.kpi_id,
        observation_aggregates.period_grain,
        observation_aggregates.period_start,
        observation_aggregates.dimension,
        observation_aggregates.dimension_value,
        observation_aggregates.numerator,
        observation_aggregates.denominator,
        observation_aggregates.squares,
        observation_percentiles.p50_value,
        observation_percentiles.p90_value
    from observation_aggregates
    left join observation_percentiles
        on
            observation_aggregates.kpi_id = observation_percentiles.kpi_id
            and observation_aggregates.period_grain = observation_percentiles.period_grain
            and observation_aggregates.period_start = observation_percentiles.period_start
            and observation_aggregates.dimension = observation_percentiles.dimension
            and observation_aggregates.dimension_value = observation_percentiles.dimension_value
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

-- the 97.5 % quantile of Student's t by degrees of freedom, for the interval of a mean of
-- fewer than 31 observations (the normal 1.96 from 30 degrees of freedom)
t_quantiles as (
    select
        quantiles.degrees_of_freedom,
        quantiles.t_critical
    from (
        values
        (1, 12.706e0), (2, 4.303e0), (3, 3.182e0), (4, 2.776e0), (5, 2.571e0), (6, 2.447e0),
        (7, 2.365e0), (8, 2.306e0), (9, 2.262e0), (10, 2.228e0), (11, 2.201e0), (12, 2.179e0),
        (13, 2.160e0), (14, 2.145e0), (15, 2.131e0), (16, 2.120e0), (17, 2.110e0), (18, 2.101e0),
        (19, 2.093e0), (20, 2.086e0), (21, 2.080e0), (22, 2.074e0), (23, 2.069e0), (24, 2.064e0),
        (25, 2.060e0), (26, 2.056e0), (27, 2.052e0), (28, 2.048e0), (29, 2.045e0)
    ) as quantiles (degrees_of_freedom, t_critical)
),

computed as (
    select
        aggregates.kpi_id,
        aggregates.period_grain,
        aggregates.period_start,
        aggregates.dimension,
        aggregates.dimension_value,
        case
            when definitions.method = 'count' then aggregates.numerator
            when aggregates.denominator is null or aggregates.denominator = 0 then null
            when definitions.method in ('share', 'nps', 'percent_ratio')
                then 100.0 * aggregates.numerator / aggregates.denominator
            when definitions.method in ('mean', 'ratio') then 1.0 * aggregates.numerator / aggregates.denominator
        end as value,
        aggregates.p50_value,
        aggregates.p90_value,
        aggregates.numerator,
        aggregates.denominator,
        aggregates.squares,
        -- the proportion p and the sample size n of the Wilson interval
        1.0 * aggregates.numerator / aggregates.denominator as proportion,
        1.0 * aggregates.denominator as sample_size,
        case
            when aggregates.denominator - 1 < 1 then null
            else coalesce(t_quantiles.t_critical, 1.959963984540054e0)
        end as t_critical,
        -- the sample (denominator) is below var kpi_min_sample_size; a count is exact, never a sample
        (
            definitions.method != 'count'
            and coalesce(aggregates.denominator, 0) < {{ var('kpi_min_sample_size', 30) }}
        ) as is_low_sample,
        definitions.method,
        definitions.value_min,
        definitions.value_max
    from aggregates
    inner join definitions
        on aggregates.kpi_id = definitions.kpi_id
    left join t_quantiles
        on aggregates.denominator - 1 = t_quantiles.degrees_of_freedom
),

-- the interval's bounds before clipping; z = 1.959963984540054, z² = 3.841458820694124
intervals as (
    select
        *,
        case
            when denominator is null or denominator <= 0 then null
            -- least/greatest with the value: the Wilson interval contains p, also in floating point
            when method = 'share'
                then least(value, greatest(0.0, 100.0 * (
                    proportion + 3.841458820694124e0 / (2 * sample_size)
                    - 1.959963984540054e0 * sqrt(
                        proportion * (1 - proportion) / sample_size
                        + 3.841458820694124e0 / (4 * sample_size * sample_size)
                    )
                ) / (1 + 3.841458820694124e0 / sample_size)))
            when method = 'nps'
                then greatest(-100.0, value - 100.0 * 1.959963984540054e0 * sqrt(greatest(
                    1.0 * squares / denominator - power(1.0 * numerator / denominator, 2),
                    0
                ) / denominator))
            when method = 'mean'
                then value - case when denominator > 1 then t_critical * sqrt(greatest(
                    (squares - power(numerator, 2) / denominator) / (denominator - 1),
                    0
                ) / denominator) end
        end as unclipped_ci_low,
        case
            when denominator is null or denominator <= 0 then null
            when method = 'share'
                then greatest(value, least(100.0, 100.0 * (
                    proportion + 3.841458820694124e0 / (2 * sample_size)
                    + 1.959963984540054e0 * sqrt(
                        proportion * (1 - proportion) / sample_size
                        + 3.841458820694124e0 / (4 * sample_size * sample_size)
                    )
                ) / (1 + 3.841458820694124e0 / sample_size)))
            when method = 'nps'
                then least(100.0, value + 100.0 * 1.959963984540054e0 * sqrt(greatest(
                    1.0 * squares / denominator - power(1.0 * numerator / denominator, 2),
                    0
                ) / denominator))
            when method = 'mean'
                then value + case when denominator > 1 then t_critical * sqrt(greatest(
                    (squares - power(numerator, 2) / denominator) / (denominator - 1),
                    0
                ) / denominator) end
        end as unclipped_ci_high
    from computed
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
    from intervals
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
