-- Customer-base KPIs side by side (wide) per period, overall and per customer tier: every KPI of
-- family relationship in seed kpi_definitions (churn_rate and retention_rate first, as before).
{{ pivot_kpi_values([
    'churn_rate', 'retention_rate', 'repurchase_rate', 'referral_rate', 'clv',
    'revenue_per_customer', 'engagement_rate', 'touchpoints_per_customer', 'journey_touchpoints',
    'task_completion_rate',
]) }}
