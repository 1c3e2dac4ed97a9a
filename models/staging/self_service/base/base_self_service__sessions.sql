-- Typed, checked copy of raw.self_service_sessions: one row per raw row (see macros/staging/stage_raw_table.sql).
-- Incremental by load batch: every raw row is typed and checked once; the stg_ view filters it.
{{ config(materialized='incremental', unique_key='_row_key', incremental_strategy='delete+insert') }}
{{ stage_raw_table('self_service', 'self_service_sessions') }}
