-- One row per customer, keyed by a stable pseudonymous customer_key (salted hash of the
-- customer_id). No e-mail, name or raw id: personal data stays in staging. Customers that
-- appear only in activity are inferred members (is_known_in_crm = false, tier 'unknown').
with

all_ids as (
    select * from {{ ref('int_customers__all_ids') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
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
