with

base as (
    select * from {{ ref('base_survey__invitations') }}
),

final as (
    select
        invitation_id,
        survey_type,
        customer_id,
        ticket_id,
        sent_at,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
