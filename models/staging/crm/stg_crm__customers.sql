with

base as (
    select * from {{ ref('base_crm__customers') }}
),

final as (
    select
        customer_id,
        email,
        full_name,
        country,
        customer_tier,
        signed_up_at,
        acquisition_channel,
        referred_by_customer_id,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
