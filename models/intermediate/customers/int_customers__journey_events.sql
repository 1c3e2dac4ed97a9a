-- The timeline int_customers__journeys cuts into journeys: one row per touchpoint event,
-- completed order and final ticket resolution of a customer, flagged whether it ends a journey
-- (and how). A view: int_customers__journey_event_fingerprints fingerprints it per customer, and
-- the journeys read only the rows of the customers whose fingerprint changed.
{{ config(materialized='view') }}

with

touch_events as (
    select * from {{ ref('int_customers__touchpoint_events') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
),

ticket_lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

touches as (
    select
        customer_id,
        occurred_at,
        touchpoint,
        is_purchase as is_journey_end,
        case when is_purchase then 'purchase' end as end_type
    from touch_events
),

purchases as (
    select
        customer_id,
        ordered_at as occurred_at,
        cast(null as varchar) as touchpoint,
        true as is_journey_end,
        'purchase' as end_type
    from orders
    where
        status = 'completed'
        and customer_id is not null
),

resolutions as (
    select
        customer_id,
        final_resolved_at as occurred_at,
        cast(null as varchar) as touchpoint,
        true as is_journey_end,
        'resolution' as end_type
    from ticket_lifecycles
    where
        is_resolved
        and final_resolved_at is not null
        and customer_id is not null
),

timeline as (
    select * from touches
    union all
    select * from purchases
    union all
    select * from resolutions
),

final as (
    select
        customer_id,
        occurred_at,
        touchpoint,
        is_journey_end,
        end_type
    from timeline
)

select * from final
