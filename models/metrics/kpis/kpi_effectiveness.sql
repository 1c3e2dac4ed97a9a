-- Effectiveness KPIs side by side (wide) per period and breakdown.
{{ pivot_kpi_values([
    'fcr_rate', 'replies_to_resolution', 'interactions_per_ticket', 'agent_touches', 'reopen_rate',
    'reopens_per_ticket', 'resolution_rate', 'self_service_rate', 'article_helpfulness',
    'next_issue_avoidance',
]) }}
