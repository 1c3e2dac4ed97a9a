-- One row per customer and period of every grain with a touchpoint event of the customer:
-- event_count, the customer's touchpoint events in the period (all of them, also those after
-- the as-of date, which int_kpi_aggregates__relationship takes off), counted by macro
-- period_counts. The input of engagement_rate and touchpoints_per_customer.
-- Incremental by customer: every touch event of a customer is a row of the customer's journey
-- timeline (int_customers__journey_events, with its time), so any change to the customer's
-- touches changes the customer's journey-event fingerprint; a run recomputes all periods of the
-- customers stamped after its last run and replaces their rows (replace_keys), as the journeys do.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='replace_keys',
    key_fingerprints='int_customers__journey_event_fingerprints',
    on_schema_change='fail',
) }}

with

all_touch_events as (
    select * from {{ ref('int_customers__touchpoint_events') }}
),

{%- set fingerprints = ref('int_customers__journey_event_fingerprints') %}

touch_events as (
    select
        customer_id,
        occurred_date
    from all_touch_events
    {%- if is_incremental() %}
    where all_touch_events.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
    {%- endif %}
),

customer_periods as (
    {{ period_counts('touch_events', 'customer_id', 'occurred_date') }}  -- noqa: PRS
),

final as (
    select
        period_grain,
        period_start,
        customer_id,
        event_count,
        {{ run_stamp() }} as _computed_at
    from customer_periods
)

select * from final
