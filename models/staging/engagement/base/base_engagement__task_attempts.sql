-- Typed, checked copy of raw.product_task_attempts: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('engagement', 'product_task_attempts') }}
