with

base as (
    select * from {{ ref('base_engagement__task_attempts') }}
),

final as (
    select
        attempt_id,
        customer_id,
        task_name,
        started_at,
        completed_at,
        expected_seconds,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
