-- The relationship KPIs counted from dated customer events, per period grain, overall and per
-- customer tier, in the aggregate shape of int_kpi_aggregates__customer_base (DECISIONLOG.md
-- "Relationship KPIs"):
--   referral_rate          customers signed up in the period through a referral / signed up
--   task_completion_rate   task attempts completed within expected_seconds / attempts, by start
--   journey_touchpoints    distinct touchpoints per complete journey, by its end date
--   repurchase_rate        customers with 2+ completed orders in the period / with 1+
{%- set relationship_dimensions = {'customer_tier': 'customer_tier'} %}{# the only breakdown of these KPIs #}

with

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
),

journeys as (
    select * from {{ ref('int_customers__journeys') }}
),

task_attempts as (
    select * from {{ ref('stg_engagement__task_attempts') }}
    where _row_status = 'staged'
),

bounds as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__data_bounds') }}
),

customer_tiers as (
    select
        customer_id,
        coalesce(customer_tier, 'unknown') as customer_tier
    from customers
),

completed_orders as (
    select
        orders.customer_id,
        cast(orders.ordered_at as date) as ordered_date,
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier
    from orders
    cross join bounds
    left join customer_tiers
        on orders.customer_id = customer_tiers.customer_id
    where
        orders.status = 'completed'
        and orders.customer_id is not null
        and cast(orders.ordered_at as date) <= bounds.as_of_date
),

-- observation-shaped KPIs, rolled up by macros/kpi/aggregate_kpi_observations.sql

referral_observations as (
    select
        'referral_rate' as kpi_id,
        cast(customers.signed_up_at as date) as metric_date,
        coalesce(customers.customer_tier, 'unknown') as customer_tier,
        cast(case
            when customers.acquisition_channel = 'referral' or customers.referred_by_customer_id is not null
                then 1
            else 0
        end as double) as numerator,
        cast(null as double) as measure
    from customers
    cross join bounds
    where cast(customers.signed_up_at as date) <= bounds.as_of_date
),

task_observations as (
    select
        'task_completion_rate' as kpi_id,
        cast(task_attempts.started_at as date) as metric_date,
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        cast(case
            when
                task_attempts.completed_at is not null
                and {{ seconds_between('task_attempts.started_at', 'task_attempts.completed_at') }}
                <= task_attempts.expected_seconds
                then 1
            else 0
        end as double) as numerator,
        cast(null as double) as measure
    from task_attempts
    cross join bounds
    left join customer_tiers
        on task_attempts.customer_id = customer_tiers.customer_id
    where cast(task_attempts.started_at as date) <= bounds.as_of_date
),

journey_observations as (
    select
        'journey_touchpoints' as kpi_id,
        cast(journeys.ended_at as date) as metric_date,
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        cast(journeys.distinct_touchpoint_count as double) as numerator,
        -- no measure: the percentiles come from journey_histogram below
        cast(null as double) as measure
    from journeys
    cross join bounds
    left join customer_tiers
        on journeys.customer_id = customer_tiers.customer_id
    where
        journeys.is_complete
        and cast(journeys.ended_at as date) <= bounds.as_of_date
),

-- read by aggregate_kpi_observations below (sqlfluff cannot see into the macro)
relationship_observations as (  -- noqa: ST03
    -- customer tier is the only breakdown of these KPIs (kpi_dimensions(): null = not applicable)
    select
        kpi_id,
        metric_date,
        {%- for column in kpi_dimensions().values() %}
        {%- if column == 'customer_tier' %}
        customer_tier,
        {%- else %}
        cast(null as varchar) as {{ column }},
        {%- endif %}
        {%- endfor %}
        numerator,
        cast(1 as double) as denominator,
        measure
    from (
        select * from referral_observations
        union all
        select * from task_observations
        union all
        select * from journey_observations
    ) as observations
),

observation_rollup as (
    {{ aggregate_kpi_observations('relationship_observations', dimensions=relationship_dimensions) }}  -- noqa: PRS
),

-- journey_touchpoints' p50 and p90: a journey has a handful of distinct touchpoints, so the
-- percentiles come from a histogram (journeys per touchpoint count) rather than from 2 M values
-- held in memory per period (histogram_percentiles, the same interpolation as quantile_cont)
journey_touchpoint_counts as (
    select
        metric_date,
        customer_tier,
        cast(numerator as integer) as touchpoint_count
    from journey_observations
),

journey_histogram as (
    {{ period_counts('journey_touchpoint_counts', ['customer_tier', 'touchpoint_count'], 'metric_date') }}  -- noqa: PRS
),

journey_histogram_by_dimension as (
    select
        period_grain,
        period_start,
        'customer_tier' as dimension,
        customer_tier as dimension_value,
        touchpoint_count,
        event_count as journeys
    from journey_histogram
    union all
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        touchpoint_count,
        sum(event_count) as journeys
    from journey_histogram
    group by period_grain, period_start, touchpoint_count
),

journey_percentiles as (
    {{ histogram_percentiles(
        'journey_histogram_by_dimension',
        ['period_grain', 'period_start', 'dimension', 'dimension_value'],
        'touchpoint_count',
        'journeys',
    ) }}  -- noqa: PRS
),

observation_aggregates as (
    select
        observation_rollup.kpi_id,
        observation_rollup.period_grain,
        observation_rollup.period_start,
        observation_rollup.dimension,
        observation_rollup.dimension_value,
        observation_rollup.numerator,
        observation_rollup.denominator,
        observation_rollup.squares,
        journey_percentiles.p50_value,
        journey_percentiles.p90_value
    from observation_rollup
    left join journey_percentiles
        on
            observation_rollup.kpi_id = 'journey_touchpoints'
            and observation_rollup.period_grain = journey_percentiles.period_grain
            and observation_rollup.period_start = journey_percentiles.period_start
            and observation_rollup.dimension = journey_percentiles.dimension
            and observation_rollup.dimension_value = journey_percentiles.dimension_value
    where observation_rollup.dimension_value is not null
),

-- repurchase_rate: customers' completed orders counted per period of each grain

customer_order_periods as (
    {%- for grain in var('kpi_period_grains') %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'ordered_date') }} as period_start,
        customer_id,
        customer_tier,
        count(*) as order_count
    from completed_orders
    group by {{ period_start(grain, 'ordered_date') }}, customer_id, customer_tier
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

repurchase_by_tier as (
    select
        period_grain,
        period_start,
        customer_tier,
        sum(case when order_count >= 2 then 1 else 0 end) as repeat_buyers,
        count(*) as buyers
    from customer_order_periods
    group by period_grain, period_start, customer_tier
),

repurchase_by_dimension as (
    select
        period_grain,
        period_start,
        'customer_tier' as dimension,
        customer_tier as dimension_value,
        repeat_buyers,
        buyers
    from repurchase_by_tier
    union all
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(repeat_buyers) as repeat_buyers,
        sum(buyers) as buyers
    from repurchase_by_tier
    group by period_grain, period_start
),

repurchase_aggregates as (
    select
        'repurchase_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(repeat_buyers as double) as numerator,
        cast(buyers as double) as denominator,
        cast(repeat_buyers as double) as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from repurchase_by_dimension
),

final as (
    select * from observation_aggregates
    union all
    select * from repurchase_aggregates
)

select * from final
