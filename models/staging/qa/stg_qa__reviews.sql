with

base as (
    select * from {{ ref('base_qa__reviews') }}
),

final as (
    select
        review_id,
        ticket_id,
        agent_id,
        reviewed_at,
        points_earned,
        points_possible,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
