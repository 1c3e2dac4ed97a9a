{#
    active_customer_counts(spans, customer_column, periods)

    Who is an active customer in a period, written once for churn, retention
    (int_kpi_aggregates__customer_base) and engagement (int_kpi_aggregates__engagement)
    (DECISIONLOG.md "Churn and retention", "Relationship KPIs").

    `spans` holds the customer activity spans (fct_customer_activity_spans: one row per span,
    with `customer_column`, span_number, customer_tier, span_start_at, span_end_at; a null end =
    still active); `periods` holds the periods to report (period_grain, period_start). The query
    gives, per reported period and customer tier of the spans:
        active_at_start    spans started before the period that had not ended before it
        lost_customers     of those, the spans that end within the period
        active_customers   customers with a span overlapping the period, each counted once:
                           active at the start + spans started in the period - second spans of
                           a customer whose gap between two spans lies within the period
    Counting uses running sums of span starts and ends per tier, so the cost grows with
    spans x grains, not spans x days.
#}
{% macro active_customer_counts(spans, customer_column, periods) -%}
    with

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
        from (
            select
                customer_tier,
                span_start_at,
                span_end_at,
                lag(span_end_at) over (
                    partition by {{ customer_column }}
                    order by span_number
                ) as previous_span_end_at
            from {{ spans }}
        ) as ordered_spans
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
            count(*) as ended_spans,
            sum(case when start_period < end_period then 1 else 0 end) as lost_customers
        from span_periods
        where end_period is not null
        group by period_grain, customer_tier, end_period
    ),

    span_tiers as (
        select distinct customer_tier from {{ spans }}
    ),

    movement_keys as (
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
            reported_periods.period_grain,
            span_tiers.customer_tier,
            reported_periods.period_start
        from {{ periods }} as reported_periods
        cross join span_tiers
    ),

    movements as (
        select
            movement_keys.period_grain,
            movement_keys.customer_tier,
            movement_keys.period_start,
            coalesce(span_starts.started_spans, 0) as started_spans,
            coalesce(span_starts.gaps_within_period, 0) as gaps_within_period,
            coalesce(span_ends.ended_spans, 0) as ended_spans,
            coalesce(span_ends.lost_customers, 0) as lost_customers
        from movement_keys
        left join span_starts
            on
                movement_keys.period_grain = span_starts.period_grain
                and movement_keys.customer_tier = span_starts.customer_tier
                and movement_keys.period_start = span_starts.period_start
        left join span_ends
            on
                movement_keys.period_grain = span_ends.period_grain
                and movement_keys.customer_tier = span_ends.customer_tier
                and movement_keys.period_start = span_ends.period_start
    ),

    running as (
        select
            *,
            coalesce(sum(started_spans - ended_spans) over (
                partition by period_grain, customer_tier
                order by period_start
                rows between unbounded preceding and 1 preceding
            ), 0) as active_at_start
        from movements
    ),

    counts as (
        select
            running.period_grain,
            running.period_start,
            running.customer_tier,
            running.active_at_start,
            running.lost_customers,
            running.active_at_start + running.started_spans - running.gaps_within_period as active_customers
        from running
        inner join {{ periods }} as reported_periods
            on
                running.period_grain = reported_periods.period_grain
                and running.period_start = reported_periods.period_start
    )

    select * from counts
{%- endmacro %}
