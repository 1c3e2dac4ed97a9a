-- One row per changed_date of int_helpdesk__ticket_state_changes: row_count, a fingerprint of the
-- day's +1/-1 changes (with the created_at of their tickets, which fct_backlog_daily reads too)
-- and _computed_at, the start of the latest run in which they changed
-- (macros/kpi/incremental_periods.sql, date_fingerprints). fct_backlog_daily redoes the days
-- from the earliest date stamped after its own last run.
{{ config(
    materialized='incremental',
    unique_key='changed_date',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{{ date_fingerprints(
    ref('int_helpdesk__ticket_state_changes'),
    'changed_date',
    ['ticket_id', 'changed_at', 'change_number', 'open_delta', 'awaiting_delta', 'ticket_created_at', 'is_ticket_staged'],
) }}
