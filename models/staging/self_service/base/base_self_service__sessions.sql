-- Typed, checked copy of raw.self_service_sessions: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('self_service', 'self_service_sessions') }}
