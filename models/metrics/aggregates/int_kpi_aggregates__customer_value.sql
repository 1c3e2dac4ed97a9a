-- clv and revenue_per_customer per period grain, overall and per customer tier, in the
-- aggregate shape of int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship KPIs"):
--   clv                    trailing 12 months to the period end: order revenue / buyers
--                          (= average order value × purchases per buyer per year) × expected
--                          lifetime min(1 / annual churn, var('clv_max_lifetime_years'));
--                          numerator = revenue × lifetime, denominator = buyers (method ratio)
--   revenue_per_customer   order + subscription revenue to the period end (or as-of date) /
--                          customers with revenue by then (var('revenue_per_customer_base'))
-- Each measure is a set of dated amounts, each counting from one day until another (or for
-- good); their running sum over the calendar (days × tiers, never customers × days) gives the
-- measure's value on any day d (= the period end).
{%- set month_days = '30.4375' %}{# average month: 365.25 / 12 days #}
{%- set day_anchor = "timestamp '2000-01-01'" %}
{%- set measures = [
    'window_revenue', 'window_buyers', 'window_active_at_start', 'window_lost',
    'order_revenue_to_date', 'revenue_customers', 'subscription_slope', 'subscription_offset',
] %}

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

spans as {{ inlined_cte() }} (
    select * from {{ ref('fct_customer_activity_spans') }}
),

purchase_history as {{ inlined_cte() }} (
    select * from {{ ref('int_customers__purchase_history') }}
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

paid_subscriptions as (
    select
        coalesce(customer_tiers.customer_tier, 'unknown') as customer_tier,
        cast(subscriptions.started_at as date) as started_date,
        cast(subscriptions.ended_at as date) as ended_date,
        subscriptions.monthly_amount / {{ month_days }} as daily_amount,
        -- fractional day numbers since the anchor
        {{ seconds_between(day_anchor, 'subscriptions.started_at') }} / 86400.0 as started_day_number,
        {{ seconds_between(day_anchor, 'subscriptions.ended_at') }} / 86400.0 as ended_day_number
    from subscriptions
    left join customer_tiers
        on subscriptions.customer_id = customer_tiers.customer_id
    where
        subscriptions.monthly_amount > 0
        and (subscriptions.ended_at is null or subscriptions.ended_at > subscriptions.started_at)
),

-- every measure as amounts counted from from_date until until_date (null: for good); the
-- trailing-window ones in "window end" days: an order on day o counts for the windows ending
-- on o .. o + 12 months - 1 day
value_intervals as (
    select
        customer_tier,
        'window_revenue' as measure,
        ordered_date as from_date,
        cast({{ dbt.dateadd('month', 12, 'ordered_date') }} as date) as until_date,
        amount
    from completed_orders
    union all
    -- distinct buyers: a customer counts from each order until 12 months after it or until
    -- their next order, whichever comes first (so once, whatever their orders in the window)
    select
        customer_tier,
        'window_buyers' as measure,
        ordered_date as from_date,
        least(
            cast({{ dbt.dateadd('month', 12, 'ordered_date') }} as date),
            lead(ordered_date) over (partition by customer_id order by ordered_date)
        ) as until_date,
        1.0 as amount
    from completed_orders
    -- spans active at the 12-month window's start (the churn denominator) ...
    union all
    select
        customer_tier,
        'window_active_at_start' as measure,
        cast({{ dbt.dateadd('month', 12, 'cast(span_start_at as date)') }} as date) as from_date,
        cast({{ dbt.dateadd('month', 12, 'cast(span_end_at as date)') }} as date) as until_date,
        1.0 as amount
    from spans
    where span_end_at is null or cast(span_end_at as date) > cast(span_start_at as date)
    -- ... and of those, the spans that ended within the window (lost)
    union all
    select
        customer_tier,
        'window_lost' as measure,
        greatest(
            cast({{ dbt.dateadd('month', 12, 'cast(span_start_at as date)') }} as date), cast(span_end_at as date)
        ) as from_date,
        cast({{ dbt.dateadd('month', 12, 'cast(span_end_at as date)') }} as date) as until_date,
        1.0 as amount
    from spans
    where cast(span_end_at as date) > cast(span_start_at as date)
    union all
    select
        customer_tier,
        'order_revenue_to_date' as measure,
        ordered_date as from_date,
        null as until_date,
        amount
    from completed_orders
    union all
    select
        customer_tier,
        'revenue_customers' as measure,
        counted_from as from_date,
        null as until_date,
        1.0 as amount
    from revenue_customers
    -- subscription revenue accrues daily_amount per day between start and end, so on day number
    -- t it is t × Σ daily_amount − Σ daily_amount × start (+ the same for the ends)
    union all
    select
        customer_tier,
        'subscription_slope' as measure,
        started_date as from_date,
        ended_date as until_date,
        daily_amount as amount
    from paid_subscriptions
    union all
    select
        customer_tier,
        'subscription_offset' as measure,
        started_date as from_date,
        null as until_date,
        daily_amount * started_day_number as amount
    from paid_subscriptions
    union all
    select
        customer_tier,
        'subscription_offset' as measure,
        ended_date as from_date,
        null as until_date,
        -daily_amount * ended_day_number as amount
    from paid_subscriptions
    where ended_date is not null
),

-- each measure on the last day of every period, per tier and overall; revenue to date adds
-- the subscriptions' accrual to the end of that day: day number (midnight after it) × slope
-- − offset
period_end_values as (
    {{ period_end_totals(
        'value_intervals',
        measures,
        {'revenue_to_date': exact_decimal(
            'order_revenue_to_date + ('
            ~ seconds_between(day_anchor, 'date_day') ~ ' / 86400.0 + 1.0'
            ~ ') * subscription_slope - subscription_offset'
        )},
        'calendar',
        'tiers',
        'bounds',
    ) }}  -- noqa: PRS
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

final as (
    select * from clv_aggregates
    union all
    select * from revenue_aggregates
)

select * from final
