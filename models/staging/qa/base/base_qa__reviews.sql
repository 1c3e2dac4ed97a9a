-- Typed, checked copy of raw.qa_reviews: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('qa', 'qa_reviews') }}
