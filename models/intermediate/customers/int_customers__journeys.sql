-- One row per customer journey: the customer's touchpoint events from the first touch after
-- the previous journey's end up to and including the next purchase (a completed order or a
-- purchase event on the website or app) or support resolution (a ticket's final resolution).
-- The ending order or resolution is the journey's goal, not a touchpoint; a purchase event is
-- both. A journey still open at the as-of date has null ended_at (is_complete = false).
-- Journeys without any touchpoint event (e.g. an order right after the purchase event that
-- ended the previous journey) are not journeys. Feeds journey_touchpoints and
-- marts/core/fct_customer_journeys (DECISIONLOG.md "Relationship KPIs").
-- Incremental by customer: a run recomputes all journeys of the customers whose timeline
-- (int_customers__journey_events) changed since the last run, found by their fingerprints
-- (int_customers__journey_event_fingerprints), and replaces those customers' rows.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='replace_keys',
    key_fingerprints='int_customers__journey_event_fingerprints',
    on_schema_change='fail',
) }}

with

all_events as (
    select * from {{ ref('int_customers__journey_events') }}
),

{%- set fingerprints = ref('int_customers__journey_event_fingerprints') %}

timeline as (
    select all_events.*
    from all_events
    {%- if is_incremental() %}
    where all_events.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
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
        ), 0) + 1 as journey_number
    from timeline
),

journeys as (
    select
        customer_id,
        journey_number,
        min(case when touchpoint is not null then occurred_at end) as first_touch_at,
        max(case when is_journey_end then occurred_at end) as ended_at,
        max(end_type) as end_type,
        count(touchpoint) as touch_event_count,
        {{ distinct_sorted_values('touchpoint') }} as distinct_touchpoints
    from numbered
    group by customer_id, journey_number
),

final as (
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
        {{ run_stamp() }} as _computed_at
    from journeys
    where touch_event_count > 0
)

select * from final
