-- One row per customer journey, from the first touch to a purchase or a support resolution
-- (intermediate/customers/int_customers__journeys.sql), with its distinct touchpoints. The mean
-- of distinct_touchpoint_count over complete journeys is journey_touchpoints in kpi_values
-- (by ended_date); the share of journeys with more than var('journey_touchpoints_threshold')
-- (default 4) touchpoints is avg(has_many_touchpoints) over the same journeys.
-- A table: one row per journey, a single join; _load_batch is the batch of the customer's CRM
-- row (0 for a customer unknown to the CRM).
{{ config(materialized='table') }}

with

journeys as (
    select * from {{ ref('int_customers__journeys') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

final as (
    select
        {{ pseudonymise('journeys.customer_id') }} || ':' || cast(journeys.journey_number as varchar)
            as customer_journey_id,
        {{ pseudonymise('journeys.customer_id') }} as customer_key,
        journeys.journey_number,
        coalesce(customers.customer_tier, 'unknown') as customer_tier,
        journeys.first_touch_at,
        journeys.ended_at,
        cast(journeys.ended_at as date) as ended_date,
        journeys.end_type,
        journeys.is_complete,
        journeys.touch_event_count,
        journeys.distinct_touchpoint_count,
        journeys.touchpoints,
        journeys.distinct_touchpoint_count > {{ var('journey_touchpoints_threshold') }} as has_many_touchpoints,
        coalesce(customers._load_batch, 0) as _load_batch,
        {{ run_stamp() }} as _computed_at
    from journeys
    left join customers
        on journeys.customer_id = customers.customer_id
)

select * from final
