-- The relationship KPIs of kpi-catalog.md section B (besides churn and retention) per period
-- grain, overall and per customer tier, in the aggregate shape of
-- int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship KPIs"), one model per concept:
--   int_kpi_aggregates__customer_events       referral_rate, task_completion_rate,
--                                             journey_touchpoints, repurchase_rate
--   int_kpi_aggregates__clv                   clv
--   int_kpi_aggregates__revenue_per_customer  revenue_per_customer
--   int_kpi_aggregates__engagement            engagement_rate, touchpoints_per_customer

with

customer_event_aggregates as (
    select * from {{ ref('int_kpi_aggregates__customer_events') }}
),

clv_aggregates as (
    select * from {{ ref('int_kpi_aggregates__clv') }}
),

revenue_aggregates as (
    select * from {{ ref('int_kpi_aggregates__revenue_per_customer') }}
),

engagement_aggregates as (
    select * from {{ ref('int_kpi_aggregates__engagement') }}
),

final as (
    select * from customer_event_aggregates
    union all
    select * from clv_aggregates
    union all
    select * from revenue_aggregates
    union all
    select * from engagement_aggregates
)

select * from final
