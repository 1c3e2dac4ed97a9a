-- Effectiveness KPIs side by side (wide): fcr_rate per period and breakdown.
{{ pivot_kpi_values(['fcr_rate']) }}
