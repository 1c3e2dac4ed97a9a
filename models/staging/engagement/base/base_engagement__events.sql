-- Typed, checked copy of raw.engagement_events: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('engagement', 'engagement_events') }}
