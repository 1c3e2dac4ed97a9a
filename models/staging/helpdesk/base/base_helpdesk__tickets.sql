-- Typed, checked copy of raw.helpdesk_tickets: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('helpdesk', 'helpdesk_tickets') }}
