{#
    period_end_totals(intervals, measures, totals, calendar, tiers, bounds)

    The running sums behind clv and revenue_per_customer (int_kpi_aggregates__customer_value):
    the value of dated amounts on the last day of every period, per customer tier and overall,
    counted over the calendar (days x tiers), never customers x days.

    `intervals` has one row per amount: customer_tier, measure (one of `measures`), amount,
    from_date (the first day it counts) and until_date (the first day it no longer counts; null
    = for good). Each becomes a +amount delta on from_date and a -amount one on until_date,
    summed as exact decimals (exact_decimal), so the result does not depend on the order
    parallel threads add them in. Deltas before the calendar count from `bounds`.first_date;
    deltas after `bounds`.as_of_date are dropped. A running sum per tier over `calendar` x
    `tiers` gives every measure's value on each day (date_day).

    `totals` maps further output columns to their formulas over those values on the period's
    last day, computed per tier (e.g. "a + b * (date_day - date '2000-01-01')"). Output:
    period_grain, period_start, dimension ('customer_tier' or 'all'), dimension_value, every
    measure and every column of `totals` on the period's last day; the overall row ('all') sums
    the tiers' values.
#}
{% macro period_end_totals(intervals, measures, totals, calendar, tiers, bounds) -%}
    {%- set columns = measures + (totals.keys() | list) %}
    with

    deltas as (
        select
            customer_tier,
            measure,
            from_date as delta_date,
            {{ exact_decimal('amount') }} as delta
        from {{ intervals }}
        union all
        select
            customer_tier,
            measure,
            until_date as delta_date,
            -{{ exact_decimal('amount') }} as delta
        from {{ intervals }}
        where until_date is not null
    ),

    daily_deltas as (
        select
            deltas.customer_tier,
            -- deltas before the calendar count from its first day
            greatest(deltas.delta_date, {{ bounds }}.first_date) as delta_date,
            {%- for measure in measures %}
            sum(case when deltas.measure = '{{ measure }}' then deltas.delta else 0 end) as {{ measure }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from deltas
        cross join {{ bounds }}
        where deltas.delta_date <= {{ bounds }}.as_of_date
        group by deltas.customer_tier, greatest(deltas.delta_date, {{ bounds }}.first_date)
    ),

    daily_values as (
        select
            {{ calendar }}.date_day,
            {{ tiers }}.customer_tier,
            {%- for measure in measures %}
            sum(coalesce(daily_deltas.{{ measure }}, 0)) over (
                partition by {{ tiers }}.customer_tier
                order by {{ calendar }}.date_day
                rows between unbounded preceding and current row
            ) as {{ measure }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ calendar }}
        cross join {{ tiers }}
        left join daily_deltas
            on
                {{ calendar }}.date_day = daily_deltas.delta_date
                and {{ tiers }}.customer_tier = daily_deltas.customer_tier
    ),

    periods as (
        {{ calendar_periods(calendar) }}
    ),

    by_tier as (
        select
            periods.period_grain,
            periods.period_start,
            daily_values.customer_tier,
            {%- for column, formula in totals.items() %}
            {{ formula }} as {{ column }},
            {%- endfor %}
            {%- for measure in measures %}
            daily_values.{{ measure }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from periods
        inner join daily_values
            on periods.period_end_date = daily_values.date_day
    ),

    by_dimension as (
        select
            period_grain,
            period_start,
            'customer_tier' as dimension,
            customer_tier as dimension_value,
            {%- for column in columns %}
            {{ column }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from by_tier
        union all
        select
            period_grain,
            period_start,
            'all' as dimension,
            'all' as dimension_value,
            {%- for column in columns %}
            sum({{ column }}) as {{ column }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from by_tier
        group by period_grain, period_start
    )

    select * from by_dimension
{%- endmacro %}
