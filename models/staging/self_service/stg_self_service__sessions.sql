with

base as (
    select * from {{ ref('base_self_service__sessions') }}
),

final as (
    select
        session_id,
        customer_id,
        started_at,
        source,
        article_id,
        escalated_ticket_id,
        helpful_vote,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
