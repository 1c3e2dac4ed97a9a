-- Typed, checked copy of raw.qa_reviews: one row per raw row, with _row_status
-- (staged / duplicate / superseded / quarantined) and _quarantine_reason
-- (macros/staging/stage_raw_table.sql). Consumers keep the rows `where _row_status = 'staged'`;
-- audit_quarantined_rows and audit_row_reconciliation read the rows set aside.
-- A plain table, rebuilt every run: 0.1 M rows at 2 M tickets, cheap to re-check
-- (docs/architecture.md "Staging: one model per raw table").
{{ config(materialized='table') }}
{{ stage_raw_table('qa', 'qa_reviews') }}
