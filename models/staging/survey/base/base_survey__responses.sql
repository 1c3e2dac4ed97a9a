-- Typed, checked copy of raw.survey_responses: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('survey', 'survey_responses') }}
