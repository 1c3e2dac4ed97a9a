-- One row per customer journey: the customer's touchpoint events from the first touch after
-- the previous journey's end up to and including the next purchase (a completed order or a
-- purchase event on the website or app) or support resolution (a ticket's final resolution).
-- The ending order or resolution is the journey's goal, not a touchpoint; a purchase event is
-- both. A journey still open at the as-of date has null ended_at (is_complete = false).
-- Journeys without any touchpoint event (e.g. an order right after the purchase event that
-- ended the previous journey) are not journeys. Feeds journey_touchpoints and
-- marts/core/fct_customer_journeys (DECISIONLOG.md "Relationship KPIs").
-- Incremental by customer (docs/architecture.md "Incremental builds"): a run recomputes all
-- journeys of the customers with a touch, order or ticket lifecycle of a load batch it has not
-- processed, or whose touches no longer add up to their stored journeys' touch_event_count (a
-- touch gone or moved to another customer), and replaces those customers' rows. Each of them
-- also gets a placeholder row (touch_event_count 0), so that delete+insert deletes the stored
-- rows of a customer left without journeys; the post-hook deletes the placeholders.
-- _load_batch is the latest load batch among the customer's timeline rows.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where touch_event_count = 0",
) }}

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

{%- if is_incremental() %}

stored_touch_counts as (
    select
        customer_id,
        sum(touch_event_count) as touch_event_count
    from {{ this }}
    group by customer_id
),

touch_counts as (
    select
        customer_id,
        count(touchpoint) as touch_event_count
    from touch_events
    where customer_id is not null
    group by customer_id
),

changed_customers as (
    -- a customer with a touch, order or ticket of a new load batch
    {{ keys_of_new_batches('touch_events', 'customer_id') }}
    union
    {{ keys_of_new_batches('orders', 'customer_id') }}
    union
    {{ keys_of_new_batches('ticket_lifecycles', 'customer_id') }}
    union
    -- or whose touches no longer add up to the stored ones: a touch gone or moved away
    select coalesce(touch_counts.customer_id, stored_touch_counts.customer_id) as customer_id
    from touch_counts
    full outer join stored_touch_counts
        on touch_counts.customer_id = stored_touch_counts.customer_id
    where touch_counts.touch_event_count is distinct from stored_touch_counts.touch_event_count
),
{%- endif %}

touches as (
    select
        customer_id,
        occurred_at,
        touchpoint,
        is_purchase as is_journey_end,
        case when is_purchase then 'purchase' end as end_type,
        _load_batch
    from touch_events
    where customer_id is not null
),

purchases as (
    select
        customer_id,
        ordered_at as occurred_at,
        cast(null as varchar) as touchpoint,
        true as is_journey_end,
        'purchase' as end_type,
        _load_batch
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
        'resolution' as end_type,
        _load_batch
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

timeline_to_number as (
    select timeline.*
    from timeline
    {%- if is_incremental() %}
    where timeline.customer_id in (select changed_customers.customer_id from changed_customers)
    {%- endif %}
),

numbered as (
    select
        *,
        -- journeys the customer completed before this event (ends sort after touches at a tie)
        coalesce(sum(case when is_journey_end then 1 else 0 end) over (
            partition by customer_id
            order by occurred_at, is_journey_end, end_type
            rows between unbounded preceding and 1 preceding
        ), 0) + 1 as journey_number,
        max(_load_batch) over (partition by customer_id) as customer_load_batch
    from timeline_to_number
),

journeys as (
    select
        customer_id,
        journey_number,
        min(case when touchpoint is not null then occurred_at end) as first_touch_at,
        max(case when is_journey_end then occurred_at end) as ended_at,
        max(end_type) as end_type,
        count(touchpoint) as touch_event_count,
        {{ distinct_sorted_values('touchpoint') }} as distinct_touchpoints,
        max(customer_load_batch) as _load_batch
    from numbered
    group by customer_id, journey_number
),

numbered_journeys as (
    select
        customer_id,
        -- renumbered 1, 2, ... after dropping journeys without touchpoints
        row_number() over (partition by customer_id order by journey_number) as journey_number,
        first_touch_at,
        ended_at,
        end_type,
        ended_at is not null as is_complete,
        touch_event_count,
        {{ list_length('distinct_touchpoints') }} as distinct_touchpoint_count,
        {{ list_to_string('distinct_touchpoints', ', ') }} as touchpoints,
        _load_batch
    from journeys
    where touch_event_count > 0
),

{%- if is_incremental() %}

placeholders as (
    -- one per recomputed customer, deleted by the post-hook (see the header)
    select
        customer_id,
        cast(null as bigint) as journey_number,
        cast(null as timestamp) as first_touch_at,
        cast(null as timestamp) as ended_at,
        cast(null as varchar) as end_type,
        cast(null as boolean) as is_complete,
        0 as touch_event_count,
        cast(null as bigint) as distinct_touchpoint_count,
        cast(null as varchar) as touchpoints,
        cast(null as integer) as _load_batch
    from changed_customers
    where customer_id is not null
),
{%- endif %}

final as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from numbered_journeys
    {%- if is_incremental() %}
    union all
    select
        *,
        {{ run_stamp() }} as _computed_at
    from placeholders
    {%- endif %}
)

select * from final
