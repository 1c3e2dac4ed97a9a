-- Every raw row is accounted for: for each export table, the rows of the raw table equal the
-- staged rows (counted in the stg_ model) + exact duplicates + rows superseded by a later
-- load + quarantined rows. (Unreadable lines never became raw rows; orphaned rows are staged.)
-- Returns the tables that do not reconcile.
with

counts as (
    {%- for model in raw_table_models() %}
    select
        '{{ model.table }}' as source_table,
        (select count(*) from {{ source(model.source, model.table) }}) as raw_rows,
        (
            select count(*) from {{ ref(model.staged) }}
            where _row_status = 'staged'
        ) as staged_rows,
        (
            select count(*) from {{ ref(model.staged) }}
            where _row_status = 'duplicate'
        ) as duplicate_rows,
        (
            select count(*) from {{ ref(model.staged) }}
            where _row_status = 'superseded'
        ) as superseded_rows,
        (
            select count(*) from {{ ref('audit_quarantined_rows') }}
            where
                source_table = '{{ model.table }}'
                and kind = 'quarantined'
        ) as quarantined_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select *
from counts
where raw_rows != staged_rows + duplicate_rows + superseded_rows + quarantined_rows
