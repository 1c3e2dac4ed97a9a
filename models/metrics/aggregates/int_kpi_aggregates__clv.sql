-- clv per period grain, overall and per customer tier, in the aggregate shape of
-- int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship KPIs"; unioned with the other
-- relationship KPIs in int_kpi_aggregates__relationship):
--   clv    trailing 12 months to the period end: order revenue / buyers
--          (= average order value × purchases per buyer per year) × expected
--          lifetime min(1 / annual churn, var('clv_max_lifetime_years'));
--          numerator = revenue × lifetime, denominator = buyers (method ratio)
-- Trailing measures use running sums of dated +/- events over the calendar (days × tiers),
-- never customers × days.

with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

spans as (
    select * from {{ ref('int_customers__activity_spans') }}
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
        cast(spans.span_end_at as date) as span_end_date
    from spans
    left join customer_tiers
        on spans.customer_id = customer_tiers.customer_id
),


-- dated +/- deltas per tier (summed as exact decimals, so the result does not depend on the
-- order parallel threads add them in); a running sum gives each measure's value on any day d
-- (= the period end). Trailing-window deltas are in "window end" days: an order on day o counts
-- for the windows ending on o .. o + 12 months - 1 day.

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

value_deltas as (
    -- trailing 12 months: completed-order revenue
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
        sum(case when exact_deltas.measure = 'window_revenue' then exact_deltas.delta else 0 end)
            as window_revenue,
        sum(case when exact_deltas.measure = 'window_buyers' then exact_deltas.delta else 0 end)
            as window_buyers,
        sum(case when exact_deltas.measure = 'window_active_at_start' then exact_deltas.delta else 0 end)
            as window_active_at_start,
        sum(case when exact_deltas.measure = 'window_lost' then exact_deltas.delta else 0 end)
            as window_lost
    from exact_deltas
    cross join bounds
    where exact_deltas.delta_date <= bounds.as_of_date
    group by exact_deltas.customer_tier, greatest(exact_deltas.delta_date, bounds.first_date)
),

daily_values as (
    select
        {%- for measure in ['window_revenue', 'window_buyers', 'window_active_at_start', 'window_lost'] %}
        sum(coalesce(daily_deltas.{{ measure }}, 0)) over (
            partition by tiers.customer_tier
            order by calendar.date_day
            rows between unbounded preceding and current row
        ) as {{ measure }},
        {%- endfor %}
        calendar.date_day,
        tiers.customer_tier
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
        daily_values.window_lost
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
        window_lost
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
        sum(window_lost) as window_lost
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

final as (
    select * from clv_aggregates
)

select * from final
