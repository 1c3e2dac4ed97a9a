-- Every customer_id the exports mention, with whether the CRM knows it. Customers seen only in
-- activity (a ticket, a call, a survey, ...) become inferred members of dim_customers, so every
-- fact's customer_key resolves.
with

crm_customers as (
    select customer_id from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

mentioned as (
    select customer_id from {{ ref('stg_crm__subscriptions') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_self_service__sessions') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_survey__invitations') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_survey__responses') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_engagement__events') }}
    where _row_status = 'staged'
    union
    select customer_id from {{ ref('stg_engagement__task_attempts') }}
    where _row_status = 'staged'
),

final as (
    select
        customer_id,
        true as is_known_in_crm
    from crm_customers
    union all
    select
        customer_id,
        false as is_known_in_crm
    from mentioned
    where
        customer_id is not null
        and customer_id not in (select crm_customers.customer_id from crm_customers)
)

select * from final
