-- One row per input of a customer's engaged periods (int_customers__engaged_periods): each day
-- with touchpoint events and its count (every period of every grain when the day grain is not
-- in var('kpi_period_grains')), and each activity span with the customer's tier. Fingerprinted
-- per customer (int_customers__engagement_fingerprints): a changed touch count, span or tier
-- redoes that customer's engaged periods.
{{ config(materialized='view') }}

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

touch_inputs as (
    select
        customer_id,
        'touch_period' as input_type,
        period_grain,
        cast(period_start as timestamp) as started_at,
        cast(null as timestamp) as ended_at,
        event_count,
        cast(null as varchar) as customer_tier
    from touch_periods
    {%- if 'day' in var('kpi_period_grains') %}
    -- the day counts determine the counts of every coarser grain
    where period_grain = 'day'
    {%- endif %}
),

span_inputs as (
    select
        spans.customer_id,
        'activity_span' as input_type,
        cast(null as varchar) as period_grain,
        spans.span_start_at as started_at,
        spans.span_end_at as ended_at,
        cast(null as bigint) as event_count,
        coalesce(customers.customer_tier, 'unknown') as customer_tier
    from spans
    left join customers
        on spans.customer_id = customers.customer_id
),

final as (
    select * from touch_inputs
    union all
    select * from span_inputs
)

select * from final
