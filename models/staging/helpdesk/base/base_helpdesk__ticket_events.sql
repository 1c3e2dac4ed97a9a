-- Typed, checked copy of raw.helpdesk_ticket_events: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('helpdesk', 'helpdesk_ticket_events') }}
