-- Every raw row set aside, with the table, its key, the reason and the raw values:
--   - rows that break the raw contract (from the base_ staging models);
--   - CSV lines the loader could not read at all (raw._load_rejects).
-- Exact re-delivered duplicates are not here: they are counted in audit_row_reconciliation.
with

contract_breaks as (
    {%- for model in raw_table_models() %}
    select
        '{{ model.table }}' as source_table,
        cast({{ model.key }} as varchar) as record_key,
        _quarantine_reason as reason,
        _raw_row as raw_row,
        _source_file as source_file,
        _row_number as row_number
    from {{ ref(model.base) }}
    where _row_status = 'quarantined'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

unreadable_lines as (
    select
        table_name as source_table,
        cast(null as varchar) as record_key,
        'unreadable line: ' || error_type || ' (' || error_message || ')' as reason,
        csv_line as raw_row,
        source_file,
        line_number as row_number
    from {{ ref('stg_loader__rejected_lines') }}
),

final as (
    select * from contract_breaks
    union all
    select * from unreadable_lines
)

select * from final
