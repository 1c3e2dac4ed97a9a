-- Typed, checked copy of raw.crm_subscriptions: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('crm', 'crm_subscriptions') }}
