-- One row per customer of int_customers__journey_events: row_count, a fingerprint of the
-- customer's timeline and _computed_at, the start of the latest run in which it changed
-- (macros/kpi/incremental_periods.sql, key_fingerprints). int_customers__journeys recomputes the
-- customers stamped after its own last run.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{{ key_fingerprints(
    ref('int_customers__journey_events'),
    'customer_id',
    ['customer_id', 'occurred_at', 'touchpoint', 'is_journey_end', 'end_type'],
) }}
