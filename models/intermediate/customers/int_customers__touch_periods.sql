-- One row per customer and period of every grain with a touchpoint event of the customer:
-- event_count, the customer's touchpoint events in the period (all of them, also those after
-- the as-of date, which int_kpi_aggregates__relationship takes off), counted by macro
-- period_counts. The input of engagement_rate and touchpoints_per_customer.
-- Incremental by customer-period: a run finds the candidate customers (a touch of a new load
-- batch, or a total touch count that differs from the stored one: one pass over the touches,
-- grouped by customer only), counts their touches per day and compares the counts and latest
-- batches with their stored days, so a touch added, re-exported, moved to another day or
-- customer, or gone shows as a changed day. It then recounts, from those customers' touches,
-- every period of every grain holding a changed day, and replaces those rows (delete+insert);
-- a period left without touches is written with event_count 0, and the post-hook deletes it,
-- so the rows are those of a full rebuild.
-- _load_batch: the latest load batch among the period's touches (the same in a full rebuild).
{{ config(
    materialized='incremental',
    unique_key=['period_grain', 'period_start', 'customer_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
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

stored_days as {{ inlined_cte() }} (
    select
        period_start,
        customer_id,
        event_count,
        _load_batch
    from {{ this }}
    where period_grain = 'day'
),

touch_totals as (
    select
        customer_id,
        count(*) as event_count
    from touch_events
    group by customer_id
),

stored_totals as (
    select
        customer_id,
        sum(event_count) as event_count
    from stored_days
    group by customer_id
),

candidate_customers as (
    -- a customer with a touch of a new batch (new, re-exported or moved to them)
    {{ keys_of_new_batches('touch_events', 'customer_id') }}
    union
    -- or with fewer (or more) touches than counted: one re-exported away or gone
    select coalesce(touch_totals.customer_id, stored_totals.customer_id) as customer_id
    from touch_totals
    full outer join stored_totals
        on touch_totals.customer_id = stored_totals.customer_id
    where touch_totals.event_count is distinct from stored_totals.event_count
),

touch_days as (
    select
        occurred_date as period_start,
        customer_id,
        count(*) as event_count,
        max(_load_batch) as _load_batch
    from touch_events
    where customer_id in (select candidate_customers.customer_id from candidate_customers)
    group by occurred_date, customer_id
),

stored_days_of_candidates as (
    select stored_days.*
    from stored_days
    where stored_days.customer_id in (select candidate_customers.customer_id from candidate_customers)
),

changed_days as (
    select
        coalesce(touch_days.period_start, stored_days.period_start) as changed_date,
        coalesce(touch_days.customer_id, stored_days.customer_id) as customer_id
    from touch_days
    full outer join stored_days_of_candidates as stored_days
        on
            touch_days.period_start = stored_days.period_start
            and touch_days.customer_id = stored_days.customer_id
    where
        touch_days.event_count is distinct from stored_days.event_count
        -- a touch re-exported in a later batch, on the same day: the count stays, the batch not
        or touch_days._load_batch is distinct from stored_days._load_batch
),

changed_periods as (
    {%- for grain in var('kpi_period_grains') %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'changed_date') }} as period_start,
        customer_id
    from changed_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

touch_events_to_count as (
    select touch_events.*
    from touch_events
    where touch_events.customer_id in (select changed_days.customer_id from changed_days)
),
{%- else %}

touch_events_to_count as (
    select * from touch_events
),
{%- endif %}

customer_periods as (
    {{ period_counts('touch_events_to_count', 'customer_id', 'occurred_date', '_load_batch') }}  -- noqa: PRS
),

{%- if is_incremental() %}

counted_periods as (
    -- the changed periods only; one without touches any more has event_count 0
    select
        changed_periods.period_grain,
        changed_periods.period_start,
        changed_periods.customer_id,
        coalesce(customer_periods.event_count, 0) as event_count,
        customer_periods._load_batch
    from changed_periods
    left join customer_periods
        on
            changed_periods.period_grain = customer_periods.period_grain
            and changed_periods.period_start = customer_periods.period_start
            and changed_periods.customer_id = customer_periods.customer_id
),
{%- else %}

counted_periods as (
    select * from customer_periods
),
{%- endif %}

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
