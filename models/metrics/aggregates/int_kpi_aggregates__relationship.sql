-- The relationship KPIs of kpi-catalog.md section B (besides churn and retention) per period
-- grain, overall and per customer tier, in the aggregate shape of
-- int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship KPIs"):
--   repurchase_rate        customers with 2+ completed orders in the period / with 1+
--   referral_rate          customers signed up in the period through a referral / signed up
--   clv                    trailing 12 months to the period end: order revenue / buyers
--                          (= average order value × purchases per buyer per year) × expected
--                          lifetime min(1 / annual churn, var('clv_max_lifetime_years'));
--                          numerator = revenue × lifetime, denominator = buyers (method ratio)
--   revenue_per_customer   order + subscription revenue to the period end (or as-of date) /
--                          customers with revenue by then (var('revenue_per_customer_base'))
--   engagement_rate        active customers (an activity span overlaps the period) with a
--                          touchpoint event in the period / active customers
--   touchpoints_per_customer  touchpoint events / engaged active customers (mean, p50, p90)
--   journey_touchpoints    distinct touchpoints per complete journey, by its end date
--   task_completion_rate   task attempts completed within expected_seconds / attempts, by start
-- Period-to-date and trailing measures use running sums of dated +/- events over the calendar
-- (days × tiers), never customers × days.
{%- set relationship_dimensions = {'customer_tier': 'customer_tier'} %}{# the only breakdown of these KPIs #}
{%- set month_days = '30.4375' %}{# average month: 365.25 / 12 days #}
{%- set day_anchor = "timestamp '2000-01-01'" %}

with

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
    where _row_status = 'staged'
),

spans as (
    select * from {{ ref('int_customers__activity_spans') }}
),

purchase_history as {{ inlined_cte() }} (
    select * from {{ ref('int_customers__purchase_history') }}
),

touch_events as (
    select * from {{ ref('int_customers__touchpoint_events') }}
),

customer_touch_counts as {{ inlined_cte() }} (
    select * from {{ ref('int_customers__touch_periods') }}
),

engaged_periods as (
    select * from {{ ref('int_customers__engaged_periods') }}
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

calendar as (
    select * from {{ ref('dim_date') }}
),

customer_tiers as (
    select
        customer_id,
        coalesce(customer_tier, 'unknown') as customer_tier
    from customers
),

tiers as (
    select distinct customer_tier from customer_tiers
    union
    select 'unknown' as customer_tier
),

calendar_periods as (
    {{ calendar_periods('calendar') }}
),

completed_orders as (
    select
        orders.customer_id,
        cast(orders.ordered_at as date) as ordered_date,
        orders.amount,
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

tiered_spans as (
    select
        spans.customer_id,
        spans.span_number,
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        spans.span_start_at,
        spans.span_end_at,
        cast(spans.span_start_at as date) as span_start_date,
        cast(spans.span_end_at as date) as span_end_date,
        lag(spans.span_end_at) over (
            partition by spans.customer_id
            order by spans.span_number
        ) as previous_span_end_at
    from spans
    left join customer_tiers
        on spans.customer_id = customer_tiers.customer_id
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

-- clv and revenue_per_customer: dated +/- deltas per tier (summed as exact decimals, so the result
-- does not depend on the order parallel threads add them in); a running sum gives each measure's
-- value on any day d (= the period end). Trailing-window deltas are in "window end" days: an
-- order on day o counts for the windows ending on o .. o + 12 months - 1 day.

buyer_orders as (
    select
        customer_id,
        customer_tier,
        ordered_date,
        -- the latest day the previous orders of the customer still count for
        max({{ dbt.dateadd('month', 12, 'ordered_date') }}) over (
            partition by customer_id
            order by ordered_date
            rows between unbounded preceding and 1 preceding
        ) as previous_cover_until
    from completed_orders
),

buyer_islands as (
    select
        customer_id,
        customer_tier,
        ordered_date,
        sum(case when previous_cover_until > ordered_date then 0 else 1 end) over (
            partition by customer_id
            order by ordered_date
            rows between unbounded preceding and current row
        ) as island_number
    from buyer_orders
),

buyer_coverage as (
    select
        customer_tier,
        min(ordered_date) as covered_from,
        cast({{ dbt.dateadd('month', 12, 'max(ordered_date)') }} as date) as covered_until_exclusive
    from buyer_islands
    group by customer_id, customer_tier, island_number
),

{%- if var('revenue_per_customer_base') == 'all' %}

-- every customer counts from sign-up (or first revenue, if earlier or not in the CRM)
revenue_customers as (
    select
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        cast(case
            when purchase_history.first_revenue_at is null then customers.signed_up_at
            when customers.signed_up_at is null then purchase_history.first_revenue_at
            else least(customers.signed_up_at, purchase_history.first_revenue_at)
        end as date) as counted_from
    from purchase_history
    full outer join customers
        on purchase_history.customer_id = customers.customer_id
    left join customer_tiers
        on coalesce(purchase_history.customer_id, customers.customer_id) = customer_tiers.customer_id
),
{%- else %}

-- a customer counts from their first revenue (paid order or paid subscription)
revenue_customers as (
    select
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        cast(purchase_history.first_revenue_at as date) as counted_from
    from purchase_history
    left join customer_tiers
        on purchase_history.customer_id = customer_tiers.customer_id
    where purchase_history.first_revenue_at is not null
),
{%- endif %}

subscription_day_numbers as (
    select
        customer_id,
        cast(started_at as date) as started_date,
        cast(ended_at as date) as ended_date,
        monthly_amount / {{ month_days }} as daily_amount,
        -- fractional day numbers since the anchor
        {{ seconds_between(day_anchor, 'started_at') }} / 86400.0 as started_day_number,
        {{ seconds_between(day_anchor, 'ended_at') }} / 86400.0 as ended_day_number
    from subscriptions
    where
        monthly_amount > 0
        and (ended_at is null or ended_at > started_at)
),

paid_subscriptions as (
    select
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        subscription_day_numbers.started_date,
        subscription_day_numbers.ended_date,
        subscription_day_numbers.daily_amount,
        subscription_day_numbers.started_day_number,
        subscription_day_numbers.ended_day_number
    from subscription_day_numbers
    left join customer_tiers
        on subscription_day_numbers.customer_id = customer_tiers.customer_id
),

value_deltas as (
    -- trailing 12 months: completed orders and their revenue
    select
        customer_tier,
        ordered_date as delta_date,
        'window_orders' as measure,
        1.0 as delta
    from completed_orders
    union all
    select
        customer_tier,
        cast({{ dbt.dateadd('month', 12, 'ordered_date') }} as date) as delta_date,
        'window_orders' as measure,
        -1.0 as delta
    from completed_orders
    union all
    select
        customer_tier,
        ordered_date as delta_date,
        'window_revenue' as measure,
        amount as delta
    from completed_orders
    union all
    select
        customer_tier,
        cast({{ dbt.dateadd('month', 12, 'ordered_date') }} as date) as delta_date,
        'window_revenue' as measure,
        -amount as delta
    from completed_orders
    -- trailing 12 months: distinct buyers
    union all
    select
        customer_tier,
        covered_from as delta_date,
        'window_buyers' as measure,
        1.0 as delta
    from buyer_coverage
    union all
    select
        customer_tier,
        covered_until_exclusive as delta_date,
        'window_buyers' as measure,
        -1.0 as delta
    from buyer_coverage
    -- trailing 12 months: spans active at the window's start (the churn denominator) ...
    union all
    select
        customer_tier,
        cast({{ dbt.dateadd('month', 12, 'span_start_date') }} as date) as delta_date,
        'window_active_at_start' as measure,
        1.0 as delta
    from tiered_spans
    where span_end_date is null or span_end_date > span_start_date
    union all
    select
        customer_tier,
        cast({{ dbt.dateadd('month', 12, 'span_end_date') }} as date) as delta_date,
        'window_active_at_start' as measure,
        -1.0 as delta
    from tiered_spans
    where span_end_date > span_start_date
    -- ... and of those, the spans that ended within the window (lost)
    union all
    select
        customer_tier,
        greatest(cast({{ dbt.dateadd('month', 12, 'span_start_date') }} as date), span_end_date) as delta_date,
        'window_lost' as measure,
        1.0 as delta
    from tiered_spans
    where span_end_date > span_start_date
    union all
    select
        customer_tier,
        cast({{ dbt.dateadd('month', 12, 'span_end_date') }} as date) as delta_date,
        'window_lost' as measure,
        -1.0 as delta
    from tiered_spans
    where span_end_date > span_start_date
    -- to date: completed-order revenue, paying customers
    union all
    select
        customer_tier,
        ordered_date as delta_date,
        'order_revenue_to_date' as measure,
        amount as delta
    from completed_orders
    union all
    select
        customer_tier,
        counted_from as delta_date,
        'revenue_customers' as measure,
        1.0 as delta
    from revenue_customers
    where counted_from is not null
    -- to date: subscription revenue accrues daily_amount per day between start and end, so on
    -- day number t it is t × Σ daily_amount − Σ daily_amount × start (+ the same for the ends)
    union all
    select
        customer_tier,
        started_date as delta_date,
        'subscription_slope' as measure,
        daily_amount as delta
    from paid_subscriptions
    union all
    select
        customer_tier,
        ended_date as delta_date,
        'subscription_slope' as measure,
        -daily_amount as delta
    from paid_subscriptions
    where ended_date is not null
    union all
    select
        customer_tier,
        started_date as delta_date,
        'subscription_offset' as measure,
        daily_amount * started_day_number as delta
    from paid_subscriptions
    union all
    select
        customer_tier,
        ended_date as delta_date,
        'subscription_offset' as measure,
        -daily_amount * ended_day_number as delta
    from paid_subscriptions
    where ended_date is not null
),

exact_deltas as (
    select
        customer_tier,
        delta_date,
        measure,
        {{ exact_decimal('delta') }} as delta
    from value_deltas
),

daily_deltas as (
    select
        exact_deltas.customer_tier,
        -- deltas before the calendar count from its first day; later ones are beyond the as-of date
        greatest(exact_deltas.delta_date, bounds.first_date) as delta_date,
        sum(case when exact_deltas.measure = 'window_orders' then exact_deltas.delta else 0 end)
            as window_orders,
        sum(case when exact_deltas.measure = 'window_revenue' then exact_deltas.delta else 0 end)
            as window_revenue,
        sum(case when exact_deltas.measure = 'window_buyers' then exact_deltas.delta else 0 end)
            as window_buyers,
        sum(case when exact_deltas.measure = 'window_active_at_start' then exact_deltas.delta else 0 end)
            as window_active_at_start,
        sum(case when exact_deltas.measure = 'window_lost' then exact_deltas.delta else 0 end)
            as window_lost,
        sum(case when exact_deltas.measure = 'order_revenue_to_date' then exact_deltas.delta else 0 end)
            as order_revenue_to_date,
        sum(case when exact_deltas.measure = 'revenue_customers' then exact_deltas.delta else 0 end)
            as revenue_customers,
        sum(case when exact_deltas.measure = 'subscription_slope' then exact_deltas.delta else 0 end)
            as subscription_slope,
        sum(case when exact_deltas.measure = 'subscription_offset' then exact_deltas.delta else 0 end)
            as subscription_offset
    from exact_deltas
    cross join bounds
    where exact_deltas.delta_date <= bounds.as_of_date
    group by exact_deltas.customer_tier, greatest(exact_deltas.delta_date, bounds.first_date)
),

daily_values as (
    select
        calendar.date_day,
        tiers.customer_tier,
        {%- for measure in [
            'window_orders', 'window_revenue', 'window_buyers', 'window_active_at_start', 'window_lost',
            'order_revenue_to_date', 'revenue_customers', 'subscription_slope', 'subscription_offset',
        ] %}
        sum(coalesce(daily_deltas.{{ measure }}, 0)) over (
            partition by tiers.customer_tier
            order by calendar.date_day
            rows between unbounded preceding and current row
        ) as {{ measure }},
        {%- endfor %}
        -- day number of the end of date_day (midnight after it)
        {{ seconds_between(day_anchor, 'calendar.date_day') }} / 86400.0 + 1.0 as end_day_number
    from calendar
    cross join tiers
    left join daily_deltas
        on
            calendar.date_day = daily_deltas.delta_date
            and tiers.customer_tier = daily_deltas.customer_tier
),

period_end_by_tier as (
    select
        calendar_periods.period_grain,
        calendar_periods.period_start,
        daily_values.customer_tier,
        daily_values.window_revenue,
        daily_values.window_buyers,
        daily_values.window_active_at_start,
        daily_values.window_lost,
        {{ exact_decimal(
            'daily_values.order_revenue_to_date'
            ~ ' + daily_values.end_day_number * daily_values.subscription_slope'
            ~ ' - daily_values.subscription_offset'
        ) }} as revenue_to_date,
        daily_values.revenue_customers
    from calendar_periods
    inner join daily_values
        on calendar_periods.period_end_date = daily_values.date_day
),

period_end_values as (
    select
        period_grain,
        period_start,
        'customer_tier' as dimension,
        customer_tier as dimension_value,
        window_revenue,
        window_buyers,
        window_active_at_start,
        window_lost,
        revenue_to_date,
        revenue_customers
    from period_end_by_tier
    union all
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(window_revenue) as window_revenue,
        sum(window_buyers) as window_buyers,
        sum(window_active_at_start) as window_active_at_start,
        sum(window_lost) as window_lost,
        sum(revenue_to_date) as revenue_to_date,
        sum(revenue_customers) as revenue_customers
    from period_end_by_tier
    group by period_grain, period_start
),

clv_lifetimes as (
    select
        *,
        case
            when round(window_lost) = 0 then {{ var('clv_max_lifetime_years') }}
            else least(window_active_at_start / window_lost, {{ var('clv_max_lifetime_years') }})
        end as expected_lifetime_years
    from period_end_values
    where
        round(window_buyers) > 0
        and round(window_active_at_start) > 0
),

clv_aggregates as (
    select
        'clv' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(window_revenue * expected_lifetime_years as double) as numerator,
        cast(round(window_buyers) as double) as denominator,
        cast(window_revenue * expected_lifetime_years as double) * (window_revenue * expected_lifetime_years)
            as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from clv_lifetimes
),

revenue_aggregates as (
    select
        'revenue_per_customer' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(revenue_to_date as double) as numerator,
        cast(round(revenue_customers) as double) as denominator,
        cast(revenue_to_date as double) * revenue_to_date as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from period_end_values
    where round(revenue_customers) > 0
),

-- engagement_rate and touchpoints_per_customer

-- the customers' touch events per period (all of them), less those after the as-of date
-- (usually none: the as-of date is the last day of the exports, or var('as_of_date'))
late_touch_events as (
    select
        touch_events.customer_id,
        touch_events.occurred_date
    from touch_events
    cross join bounds
    where touch_events.occurred_date > bounds.as_of_date
),

late_touch_periods as (
    {{ period_counts('late_touch_events', 'customer_id', 'occurred_date') }}  -- noqa: PRS
),

-- the periods with a touch by the as-of date: more customers touched in them than customers
-- whose touches there all fall after it (counted on the per-period tables, not on the 18 M
-- customer-periods of int_customers__touch_periods)
period_touch_customers as (
    select
        period_grain,
        period_start,
        count(*) as touch_customers
    from customer_touch_counts
    group by period_grain, period_start
),

period_late_customers as (
    select
        customer_touch_counts.period_grain,
        customer_touch_counts.period_start,
        count(*) as late_customers
    from customer_touch_counts
    inner join late_touch_periods
        on
            customer_touch_counts.period_grain = late_touch_periods.period_grain
            and customer_touch_counts.period_start = late_touch_periods.period_start
            and customer_touch_counts.customer_id = late_touch_periods.customer_id
    where late_touch_periods.event_count >= customer_touch_counts.event_count
    group by customer_touch_counts.period_grain, customer_touch_counts.period_start
),

touch_periods as (
    select
        period_touch_customers.period_grain,
        period_touch_customers.period_start
    from period_touch_customers
    left join period_late_customers
        on
            period_touch_customers.period_grain = period_late_customers.period_grain
            and period_touch_customers.period_start = period_late_customers.period_start
    where period_touch_customers.touch_customers > coalesce(period_late_customers.late_customers, 0)
),

span_periods as (
    {%- for grain in var('kpi_period_grains') %}
    select
        '{{ grain }}' as period_grain,
        customer_tier,
        {{ period_start(grain, 'span_start_at') }} as start_period,
        {{ period_start(grain, 'span_end_at') }} as end_period,
        -- the gap before this span lies within one period: the customer's two spans both
        -- overlap it but the customer counts once
        case
            when {{ period_start(grain, 'previous_span_end_at') }} = {{ period_start(grain, 'span_start_at') }}
                then 1
            else 0
        end as is_gap_within_period
    from tiered_spans
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

span_starts as (
    select
        period_grain,
        customer_tier,
        start_period as period_start,
        count(*) as started_spans,
        sum(is_gap_within_period) as gaps_within_period
    from span_periods
    group by period_grain, customer_tier, start_period
),

span_ends as (
    select
        period_grain,
        customer_tier,
        end_period as period_start,
        count(*) as ended_spans
    from span_periods
    where end_period is not null
    group by period_grain, customer_tier, end_period
),

span_movement_keys as (
    select
        period_grain,
        customer_tier,
        period_start
    from span_starts
    union
    select
        period_grain,
        customer_tier,
        period_start
    from span_ends
    union
    select
        touch_periods.period_grain,
        tiers.customer_tier,
        touch_periods.period_start
    from touch_periods
    cross join tiers
),

span_movements as (
    select
        span_movement_keys.period_grain,
        span_movement_keys.customer_tier,
        span_movement_keys.period_start,
        coalesce(span_starts.started_spans, 0) as started_spans,
        coalesce(span_starts.gaps_within_period, 0) as gaps_within_period,
        coalesce(span_ends.ended_spans, 0) as ended_spans
    from span_movement_keys
    left join span_starts
        on
            span_movement_keys.period_grain = span_starts.period_grain
            and span_movement_keys.customer_tier = span_starts.customer_tier
            and span_movement_keys.period_start = span_starts.period_start
    left join span_ends
        on
            span_movement_keys.period_grain = span_ends.period_grain
            and span_movement_keys.customer_tier = span_ends.customer_tier
            and span_movement_keys.period_start = span_ends.period_start
),

active_customers as (
    select
        period_grain,
        customer_tier,
        period_start,
        -- spans started by the period's end, minus those ended before it, minus double counts
        sum(started_spans - ended_spans) over (
            partition by period_grain, customer_tier
            order by period_start
            rows between unbounded preceding and current row
        ) + ended_spans - gaps_within_period as active_customers
    from span_movements
),

engaged_customers as (
    -- the engaged customer-periods (active, with a touch) by the as-of date: less the touches
    -- after it, and none left when all of them fall after it
    select
        engaged_periods.period_grain,
        engaged_periods.period_start,
        engaged_periods.customer_id,
        engaged_periods.customer_tier,
        engaged_periods.event_count - coalesce(late_touch_periods.event_count, 0) as event_count
    from engaged_periods
    left join late_touch_periods
        on
            engaged_periods.period_grain = late_touch_periods.period_grain
            and engaged_periods.period_start = late_touch_periods.period_start
            and engaged_periods.customer_id = late_touch_periods.customer_id
    where engaged_periods.event_count > coalesce(late_touch_periods.event_count, 0)
),

-- the touch counts as a histogram (how many engaged customers had n touches): the sums and
-- exact percentiles come from it, without holding 9 M counts in memory (histogram_percentiles)
engaged_histogram as (
    select
        period_grain,
        period_start,
        customer_tier,
        event_count,
        count(*) as customers
    from engaged_customers
    group by period_grain, period_start, customer_tier, event_count
),

engaged_counts as (
    select
        period_grain,
        period_start,
        customer_tier,
        sum(customers) as engaged_customers,
        sum(event_count * customers) as touch_events,
        sum(event_count * event_count * customers) as touch_event_squares
    from engaged_histogram
    group by period_grain, period_start, customer_tier
),

engaged_percentiles as (
    {{ histogram_percentiles(
        'engaged_histogram', ['period_grain', 'period_start', 'customer_tier'], 'event_count', 'customers'
    ) }}  -- noqa: PRS
),

engaged_histogram_all as (
    select
        period_grain,
        period_start,
        event_count,
        sum(customers) as customers
    from engaged_histogram
    group by period_grain, period_start, event_count
),

engaged_percentiles_all as (
    {{ histogram_percentiles(
        'engaged_histogram_all', ['period_grain', 'period_start'], 'event_count', 'customers'
    ) }}  -- noqa: PRS
),

engagement_by_tier as (
    select
        active_customers.period_grain,
        active_customers.period_start,
        'customer_tier' as dimension,
        active_customers.customer_tier as dimension_value,
        active_customers.active_customers,
        coalesce(engaged_counts.engaged_customers, 0) as engaged_customers,
        coalesce(engaged_counts.touch_events, 0) as touch_events,
        coalesce(engaged_counts.touch_event_squares, 0) as touch_event_squares,
        engaged_percentiles.p50_value as p50_touch_events,
        engaged_percentiles.p90_value as p90_touch_events
    from active_customers
    inner join touch_periods
        on
            active_customers.period_grain = touch_periods.period_grain
            and active_customers.period_start = touch_periods.period_start
    left join engaged_counts
        on
            active_customers.period_grain = engaged_counts.period_grain
            and active_customers.period_start = engaged_counts.period_start
            and active_customers.customer_tier = engaged_counts.customer_tier
    left join engaged_percentiles
        on
            active_customers.period_grain = engaged_percentiles.period_grain
            and active_customers.period_start = engaged_percentiles.period_start
            and active_customers.customer_tier = engaged_percentiles.customer_tier
),

engagement_all as (
    select
        engagement_by_tier.period_grain,
        engagement_by_tier.period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(engagement_by_tier.active_customers) as active_customers,
        sum(engagement_by_tier.engaged_customers) as engaged_customers,
        sum(engagement_by_tier.touch_events) as touch_events,
        sum(engagement_by_tier.touch_event_squares) as touch_event_squares,
        max(engaged_percentiles_all.p50_value) as p50_touch_events,
        max(engaged_percentiles_all.p90_value) as p90_touch_events
    from engagement_by_tier
    left join engaged_percentiles_all
        on
            engagement_by_tier.period_grain = engaged_percentiles_all.period_grain
            and engagement_by_tier.period_start = engaged_percentiles_all.period_start
    group by engagement_by_tier.period_grain, engagement_by_tier.period_start
),

engagement as (
    select * from engagement_by_tier
    union all
    select * from engagement_all
),

engagement_aggregates as (
    select
        'engagement_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(engaged_customers as double) as numerator,
        cast(active_customers as double) as denominator,
        cast(engaged_customers as double) as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from engagement
    where active_customers > 0
    union all
    select
        'touchpoints_per_customer' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(touch_events as double) as numerator,
        cast(engaged_customers as double) as denominator,
        cast(touch_event_squares as double) as squares,
        cast(p50_touch_events as double) as p50_value,
        cast(p90_touch_events as double) as p90_value
    from engagement
    where engaged_customers > 0
),

final as (
    select * from observation_aggregates
    union all
    select * from repurchase_aggregates
    union all
    select * from clv_aggregates
    union all
    select * from revenue_aggregates
    union all
    select * from engagement_aggregates
)

select * from final
