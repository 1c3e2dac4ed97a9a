-- Where every raw row went, per export table:
-- raw rows = staged + duplicates + superseded (updated by a later load) + quarantined
-- (tests/singular/assert_raw_rows_reconcile.sql holds this against the raw tables themselves).
-- Unreadable lines never became raw rows: they are counted apart. Orphaned rows are staged rows
-- (counted in staged_rows) that the models drop because their parent is unknown or quarantined.
with

row_statuses as (
    {%- for model in raw_table_models() %}
    select
        '{{ model.table }}' as source_table,
        count(*) as raw_rows,
        count(case when _row_status = 'staged' then 1 end) as staged_rows,
        count(case when _row_status = 'duplicate' then 1 end) as duplicate_rows,
        count(case when _row_status = 'superseded' then 1 end) as superseded_rows,
        count(case when _row_status = 'quarantined' then 1 end) as quarantined_rows
    from {{ ref(model.staged) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

unreadable as (
    select
        table_name as source_table,
        count(*) as unreadable_lines
    from {{ ref('stg_loader__rejected_lines') }}
    group by table_name
),

orphaned as (
    select
        source_table,
        count(*) as orphaned_rows
    from {{ ref('audit_quarantined_rows') }}
    where kind = 'orphaned'
    group by source_table
),

final as (
    select
        row_statuses.source_table,
        row_statuses.raw_rows,
        coalesce(row_statuses.staged_rows, 0) as staged_rows,
        coalesce(row_statuses.duplicate_rows, 0) as duplicate_rows,
        coalesce(row_statuses.superseded_rows, 0) as superseded_rows,
        coalesce(row_statuses.quarantined_rows, 0) as quarantined_rows,
        coalesce(unreadable.unreadable_lines, 0) as unreadable_lines,
        coalesce(orphaned.orphaned_rows, 0) as orphaned_rows
    from row_statuses
    left join unreadable
        on row_statuses.source_table = unreadable.source_table
    left join orphaned
        on row_statuses.source_table = orphaned.source_table
)

select * from final
