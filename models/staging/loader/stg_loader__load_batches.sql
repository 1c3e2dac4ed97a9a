with

source as (
    select * from {{ source('loader', '_load_batches') }}
),

final as (
    select
        load_batch,
        table_name,
        loaded_at,
        data_dir,
        is_append,
        files,
        landed_rows,
        rejected_lines
    from source
)

select * from final
