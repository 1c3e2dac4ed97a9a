-- One row per customer of int_customers__engagement_inputs: row_count, a fingerprint of the
-- customer's touch counts, activity spans and tier, and _computed_at, the start of the latest run
-- in which they changed (macros/kpi/incremental_periods.sql, key_fingerprints).
-- int_customers__engaged_periods recomputes the customers stamped after its own last run.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{{ key_fingerprints(
    ref('int_customers__engagement_inputs'),
    'customer_id',
    ['input_type', 'period_grain', 'started_at', 'ended_at', 'event_count', 'customer_tier'],
) }}
