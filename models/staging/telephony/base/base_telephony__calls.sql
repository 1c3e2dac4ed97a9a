-- Typed, checked copy of raw.telephony_calls: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('telephony', 'telephony_calls') }}
