-- Survey KPIs side by side (wide): csat, nps, ces, ces_easy_share per period and breakdown.
{{ pivot_kpi_values(['csat', 'nps', 'ces', 'ces_easy_share']) }}
