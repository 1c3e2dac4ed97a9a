-- One row per customer journey, from the first touch to a purchase or a support resolution
-- (intermediate/customers/int_customers__journeys.sql), with its distinct touchpoints. The mean
-- of distinct_touchpoint_count over complete journeys is journey_touchpoints in kpi_values
-- (by ended_date); the share of journeys with more than var('journey_touchpoints_threshold')
-- (default 4) touchpoints is avg(has_many_touchpoints) over the same journeys.
-- Incremental by customer: a run recomputes the journeys of the customers whose timeline changed
-- since its last run (their fingerprints in int_customers__journey_event_fingerprints, as
-- int_customers__journeys does) and of the customers a new batch updated (their tier), and
-- replaces every row of those customers (replace_keys, keyed by the pseudonymised customer id);
-- every journey when the salt or the touchpoint threshold changed. _load_batch is the batch of
-- the customer's CRM row (0 for a customer unknown to the CRM).
{{ config(
    materialized='incremental',
    unique_key='customer_key',
    incremental_strategy='replace_keys',
    key_fingerprints='int_customers__journey_event_fingerprints',
    fingerprint_key=pseudonymise('customer_id'),
    on_schema_change='fail',
) }}
{%- set recompute_all = settings_changed_since_last_run(['pseudonymisation', 'customer_journeys']) %}
{%- set incremental_run = is_incremental() and not recompute_all %}
{%- set fingerprints = ref('int_customers__journey_event_fingerprints') %}

with

all_journeys as (
    select * from {{ ref('int_customers__journeys') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),
{%- if incremental_run %}

changed_customers as (
    {{ keys_changed_since_last_run(fingerprints, 'customer_id') }}
    union
    {{ keys_of_new_batches('customers', 'customer_id') }}
),
{%- endif %}

journeys as (
    select all_journeys.*
    from all_journeys
    {%- if incremental_run %}
    where all_journeys.customer_id in (select changed_customers.customer_id from changed_customers)
    {%- endif %}
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
