-- Volume and workload KPIs side by side (wide) per period and breakdown (contact_volume also by
-- hour_of_day and day_of_week; backlog and open_awaiting_response are end-of-period snapshots).
{{ pivot_kpi_values(['contact_volume', 'channel_share', 'backlog', 'open_awaiting_response']) }}
