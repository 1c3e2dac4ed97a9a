-- revenue_per_customer per period grain, overall and per customer tier, in the aggregate shape
-- of int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship KPIs"; unioned with the
-- other relationship KPIs in int_kpi_aggregates__relationship):
--   revenue_per_customer   order + subscription revenue to the period end (or as-of date) /
--                          customers with revenue by then (var('revenue_per_customer_base'))
-- Period-to-date measures use running sums of dated +/- events over the calendar (days × tiers),
-- never customers × days.
{%- set month_days = '30.4375' %}{# average month: 365.25 / 12 days #}
{%- set day_anchor = "timestamp '2000-01-01'" %}

with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
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

-- dated +/- deltas per tier (summed as exact decimals, so the result does not depend on the
-- order parallel threads add them in); a running sum gives each measure's value on any day d
-- (= the period end)

value_deltas as (
    -- to date: completed-order revenue, paying customers
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
        revenue_to_date,
        revenue_customers
    from period_end_by_tier
    union all
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(revenue_to_date) as revenue_to_date,
        sum(revenue_customers) as revenue_customers
    from period_end_by_tier
    group by period_grain, period_start
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
    select * from revenue_aggregates
)

select * from final
