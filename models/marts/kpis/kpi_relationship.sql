-- Customer-base KPIs side by side (wide): churn_rate and retention_rate per period and tier.
{{ pivot_kpi_values(['churn_rate', 'retention_rate']) }}
