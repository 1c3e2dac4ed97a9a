with

base as (
    select * from {{ ref('base_survey__responses') }}
),

final as (
    select
        response_id,
        invitation_id,
        survey_type,
        customer_id,
        ticket_id,
        responded_at,
        score,
        scale_min,
        scale_max,
        comment,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
