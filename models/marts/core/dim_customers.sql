-- One row per customer, keyed by a stable pseudonymous customer_key (salted hash of the
-- customer_id). No e-mail, name or raw id: personal data stays in staging. Customers that
-- appear only in activity (a ticket, a call, a survey, ...) are inferred members
-- (is_known_in_crm = false, tier 'unknown'), so every fact's customer_key resolves.
with

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
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

all_ids as (
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
),

final as (
    select
        {{ pseudonymise('all_ids.customer_id') }} as customer_key,
        all_ids.is_known_in_crm,
        coalesce(crm_customers.customer_tier, 'unknown') as customer_tier,
        crm_customers.country,
        crm_customers.acquisition_channel,
        crm_customers.signed_up_at,
        cast(crm_customers.signed_up_at as date) as signed_up_date,
        case
            when crm_customers.referred_by_customer_id is not null
                then {{ pseudonymise('crm_customers.referred_by_customer_id') }}
        end as referred_by_customer_key
    from all_ids
    left join crm_customers
        on all_ids.customer_id = crm_customers.customer_id
)

select * from final
