with

source as (
    select * from {{ source('loader', '_load_rejects') }}
),

final as (
    select
        table_name,
        source_file,
        line as line_number,
        error_message,
        csv_line,
        lower(error_type) as error_type
    from source
)

select * from final
