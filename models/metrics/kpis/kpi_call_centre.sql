-- Call-centre KPIs side by side (wide) per period and breakdown.
{{ pivot_kpi_values(
    ['answer_rate', 'abandon_rate', 'blockage_rate', 'aht', 'asa', 'service_level'],
    with_percentiles=true,
) }}
