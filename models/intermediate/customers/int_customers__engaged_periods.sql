-- One row per customer and period of every grain in which the customer had a touchpoint event
-- (all of them, also those after the as-of date, which int_kpi_aggregates__engagement takes
-- off) and was active: the customer's latest activity span started before the period's end has
-- not ended before its start (spans do not overlap, so no earlier span can overlap the period).
-- The span carries the customer's tier. The input of engagement_rate and
-- touchpoints_per_customer (DECISIONLOG.md "Relationship KPIs").
-- A table: one join of the touch periods with the spans; _computed_at is the run that built it.
{{ config(materialized='table') }}

with

touch_periods as (
    select * from {{ ref('int_customers__touch_periods') }}
),

spans as (
    select * from {{ ref('int_customers__activity_spans') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

customer_touch_periods as (
    select
        period_grain,
        period_start,
        cast(case period_grain
            {%- for grain in var('kpi_period_grains') %}
            when '{{ grain }}' then {{ dbt.dateadd(grain, 1, 'period_start') }}
            {%- endfor %}
        end as timestamp) as next_period_start,
        customer_id,
        event_count
    from touch_periods
),

tiered_spans as (
    select
        spans.customer_id,
        spans.span_start_at,
        spans.span_end_at,
        coalesce(customers.customer_tier, 'unknown') as customer_tier
    from spans
    left join customers
        on spans.customer_id = customers.customer_id
),

engaged as (
    select
        customer_touch_periods.period_grain,
        customer_touch_periods.period_start,
        customer_touch_periods.customer_id,
        latest_spans.customer_tier,
        customer_touch_periods.event_count
    from customer_touch_periods
    {{ latest_row_before_join(
        'tiered_spans', 'latest_spans', 'customer_id',
        'customer_touch_periods.customer_id', 'customer_touch_periods.next_period_start', 'span_start_at'
    ) }}
    where
        latest_spans.span_end_at is null
        or latest_spans.span_end_at >= customer_touch_periods.period_start
),

final as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from engaged
)

select * from final
