-- Speed KPIs side by side (wide) per period and breakdown: mean, p50 and p90 of every time KPI
-- (seconds), service_level and sla_attainment.
{{ pivot_kpi_values([
    'first_response_time', 'first_response_time_business', 'avg_response_time', 'resolution_time',
    'resolution_time_business', 'first_resolution_time', 'aht', 'asa', 'service_level', 'sla_attainment',
], with_percentiles=true) }}
