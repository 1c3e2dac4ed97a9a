-- One row per customer and period of every grain with a touchpoint event of the customer:
-- event_count, the customer's touchpoint events in the period (all of them, also those after
-- the as-of date, which int_kpi_aggregates__engagement takes off), counted by macro
-- period_counts. The input of engagement_rate and touchpoints_per_customer.
-- Incremental by customer (docs/architecture.md "Incremental builds"): a run recounts every
-- period of the customers with a touch of a load batch it has not processed, or whose touches
-- no longer add up to their stored day counts (a touch gone or moved to another customer), and
-- replaces those customers' rows. Each of them also gets a placeholder row (event_count 0), so
-- that delete+insert deletes the stored rows of a customer left without touches; the post-hook
-- deletes the placeholders.
-- _load_batch: the latest load batch among the period's touches (the same in a full rebuild).
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where event_count = 0",
) }}

with

all_touch_events as (
    select * from {{ ref('int_customers__touchpoint_events') }}
),

touch_events as (
    select
        customer_id,
        occurred_date,
        _load_batch
    from all_touch_events
    where
        customer_id is not null
        and occurred_date is not null
),

{%- if is_incremental() %}

stored_touch_counts as (
    select
        customer_id,
        sum(event_count) as event_count
    from {{ this }}
    where period_grain = 'day'
    group by customer_id
),

touch_counts as (
    select
        customer_id,
        count(*) as event_count
    from touch_events
    group by customer_id
),

changed_customers as (
    -- a customer with a touch of a new batch (new, re-exported or moved to them)
    {{ keys_of_new_batches('touch_events', 'customer_id') }}
    union
    -- or whose touches no longer add up to the stored ones: a touch gone or moved away
    select coalesce(touch_counts.customer_id, stored_touch_counts.customer_id) as customer_id
    from touch_counts
    full outer join stored_touch_counts
        on touch_counts.customer_id = stored_touch_counts.customer_id
    where touch_counts.event_count is distinct from stored_touch_counts.event_count
),
{%- endif %}

touch_events_to_count as (
    select touch_events.*
    from touch_events
    {%- if is_incremental() %}
    where touch_events.customer_id in (select changed_customers.customer_id from changed_customers)
    {%- endif %}
),

customer_periods as (
    {{ period_counts('touch_events_to_count', 'customer_id', 'occurred_date', '_load_batch') }}  -- noqa: PRS
),

counted_periods as (
    select
        period_grain,
        period_start,
        customer_id,
        event_count,
        _load_batch
    from customer_periods
    {%- if is_incremental() %}
    union all
    -- one placeholder per recounted customer, deleted by the post-hook (see the header)
    select
        'day' as period_grain,
        cast(null as date) as period_start,
        customer_id,
        0 as event_count,
        cast(null as integer) as _load_batch
    from changed_customers
    {%- endif %}
),

final as (
    select
        period_grain,
        period_start,
        customer_id,
        event_count,
        _load_batch
    from counted_periods
)

select * from final
