-- One row per movement_date of int_kpi_ticket_movements: row_count, a fingerprint of the day's
-- movements with their breakdowns, and _computed_at, the start of the latest run in which they
-- changed (macros/kpi/incremental_periods.sql, key_fingerprints). int_kpi_ticket_movements__daily
-- regroups the days stamped after its own last run.
{{ config(
    materialized='incremental',
    unique_key='movement_date',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{{ key_fingerprints(
    ref('int_kpi_ticket_movements'),
    'movement_date',
    [
        'movement_date', 'channel', 'team', 'agent_id', 'category', 'priority', 'customer_tier',
        'open_delta', 'awaiting_delta', 'assigned_open_delta', 'resolved_count',
    ],
) }}
