-- Typed, checked copy of raw.survey_invitations: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('survey', 'survey_invitations') }}
