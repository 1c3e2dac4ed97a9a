with

base as (
    select * from {{ ref('base_helpdesk__agents') }}
),

final as (
    select
        agent_id,
        full_name,
        team,
        is_bot,
        hired_at,
        left_at,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
