-- Every raw row set aside, and every staged row the models cannot use, one row each, by kind:
--   - quarantined: breaks the raw contract (the stg_ models' rows with _row_status 'quarantined');
--   - unreadable:  a CSV line the loader could not read at all (raw._load_rejects);
--   - orphaned:    staged, but its parent (a ticket) is unknown or quarantined, so the joins
--                  of macro orphan_checks() drop it downstream.
-- raw_row never holds personal data: personal_data columns are masked by the staging macro,
-- and an unreadable line of a table with personal columns is not kept (file and line are).
-- Exact re-delivered duplicates are not here: they are counted in audit_row_reconciliation.
{%- set personal_tables = [] %}
{%- if execute %}
{%- for node in graph.sources.values() if node.columns.values() | selectattr('meta.personal_data') | list %}
{%- do personal_tables.append(node.name) %}
{%- endfor %}
{%- endif %}
{%- set parents = {} %}
{%- for check in orphan_checks() %}
{%- do parents.update({check.parent: check}) %}
{%- endfor %}

with

contract_breaks as (
    {%- for model in raw_table_models() %}
    select
        '{{ model.table }}' as source_table,
        cast({{ model.key }} as varchar) as record_key,
        'quarantined' as kind,
        _quarantine_reason as reason,
        _raw_row as raw_row,
        _source_file as source_file,
        _row_number as row_number
    from {{ ref(model.staged) }}
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
        'unreadable' as kind,
        'unreadable line: ' || error_type || ' (' || error_message || ')' as reason,
        case
            when table_name in (
                {%- for table in personal_tables %}
                '{{ table }}'{{ ',' if not loop.last }}
                {%- endfor %}
            ) then '<personal data>'
            else csv_line
        end as raw_row,
        source_file,
        line_number as row_number
    from {{ ref('stg_loader__rejected_lines') }}
),

staged_parents as (
    -- parent keys with a staged row (one each: the key is unique among staged rows)
    {%- for parent in parents.values() %}
    select
        '{{ parent.parent }}' as parent,
        {{ parent.parent_key }} as parent_key
    from {{ ref(parent.parent_staged) }}
    where _row_status = 'staged'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

quarantined_parents as (
    -- parent keys with a quarantined row: a child of a key that is neither staged nor here is
    -- of an unknown parent
    {%- for parent in parents.values() %}
    select distinct
        '{{ parent.parent }}' as parent,
        {{ parent.parent_key }} as parent_key
    from {{ ref(parent.parent_staged) }}
    where _row_status = 'quarantined'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

orphans as (
    {%- for check in orphan_checks() %}
    select
        '{{ check.child }}' as source_table,
        cast(children.{{ check.child_key }} as varchar) as record_key,
        'orphaned' as kind,
        case
            when quarantined_parents.parent_key is not null
                then 'parent {{ check.parent }} quarantined'
            else 'unknown {{ check.parent }}'
        end as reason,
        cast(null as varchar) as raw_row,
        children._source_file as source_file,
        children._row_number as row_number
    from {{ ref(check.child_staged) }} as children
    left join staged_parents
        on
            staged_parents.parent = '{{ check.parent }}'
            and children.{{ check.column }} = staged_parents.parent_key
    left join quarantined_parents
        on
            quarantined_parents.parent = '{{ check.parent }}'
            and children.{{ check.column }} = quarantined_parents.parent_key
    where
        children._row_status = 'staged'
        and children.{{ check.column }} is not null
        and staged_parents.parent_key is null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from contract_breaks
    union all
    select * from unreadable_lines
    union all
    select * from orphans
)

select * from final
