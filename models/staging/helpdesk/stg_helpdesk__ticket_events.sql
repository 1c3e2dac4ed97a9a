-- Typed, checked copy of raw.helpdesk_ticket_events: one row per raw row, with _row_status
-- (staged / duplicate / superseded / quarantined) and _quarantine_reason
-- (macros/staging/stage_raw_table.sql). Consumers keep the rows `where _row_status = 'staged'`;
-- audit_quarantined_rows and audit_row_reconciliation read the rows set aside.
-- Incremental, delete+insert by load batch: 15.1 M rows at 2 M tickets, too costly to
-- re-check every appended day
-- (docs/architecture.md "Staging: one model per raw table").
{{ config(materialized='incremental', unique_key='_row_key', incremental_strategy='delete+insert') }}
{{ stage_raw_table('helpdesk', 'helpdesk_ticket_events') }}
