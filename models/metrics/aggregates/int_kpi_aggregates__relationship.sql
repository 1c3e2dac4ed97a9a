-- The relationship KPIs of kpi-catalog.md section B besides churn and retention
-- (DECISIONLOG.md "Relationship KPIs"): the union of the concept models, read by
-- int_kpi_values. Each concept model has the aggregate shape of int_kpi_aggregates__customer_base.
-- A view: the rows are stored once, in the concept models.
{{ config(materialized='view') }}

with

customer_events as (
    select * from {{ ref('int_kpi_aggregates__customer_events') }}
),

customer_value as (
    select * from {{ ref('int_kpi_aggregates__customer_value') }}
),

engagement as (
    select * from {{ ref('int_kpi_aggregates__engagement') }}
),

final as (
    select * from customer_events
    union all
    select * from customer_value
    union all
    select * from engagement
)

select * from final
