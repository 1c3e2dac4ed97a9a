-- Typed, checked copy of raw.chat_sessions: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('chat', 'chat_sessions') }}
