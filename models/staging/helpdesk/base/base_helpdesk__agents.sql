-- Typed, checked copy of raw.support_agents: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('helpdesk', 'support_agents') }}
