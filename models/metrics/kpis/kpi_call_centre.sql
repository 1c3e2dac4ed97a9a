-- Call-centre KPIs side by side (wide) per period and breakdown. The time and service-level
-- KPIs of calls and chats (aht, asa, service_level) are in kpi_speed, their family's mart.
{{ pivot_kpi_values(['answer_rate', 'abandon_rate', 'blockage_rate']) }}
