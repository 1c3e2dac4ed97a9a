{#
    stage_raw_table(source_name, table_name)

    Builds the body of a `stg_<source>__<entity>s` model from the raw contract declared in the
    source YAML (column `meta`: type, required, values, min, min_exclusive, not_above,
    not_before, sane_min, sane_max, allow_future, personal_data; table `meta`: primary_key,
    row_checks). One row out per raw row in, with:
      - every contract column cast to its type (ids trimmed, enums trimmed + lowercased,
        timestamps converted to UTC, booleans from true/false/1/0/yes/no);
      - _row_status:
          'duplicate'    byte-identical to an earlier raw row (any load batch);
          'quarantined'  breaks the contract, or repeats the key of an earlier row of the same
                         load batch with other values (the first is kept);
          'superseded'   a valid row whose key comes again, valid, in a later load batch
                         (an updated re-export: the latest batch wins);
          'staged'       everything else;
      - _quarantine_reason: every rule the row breaks, separated by '; ', including the
        value checks no later step could survive: a decimal that is not a finite number (NaN,
        inf), a number outside its sane bounds (meta sane_min/sane_max, else ±10⁹ for an
        integer, ±10¹² for a decimal), a timestamp outside the plausible window (from
        var('plausible_timestamps_from') to its load batch's loaded_at plus
        var('plausible_days_after_load') days; allow_future drops the upper end);
      - _raw_row: the raw values as JSON, for quarantined rows and duplicates, with the values
        of personal_data columns masked as "<personal data>";
      - _raw_fingerprint: md5 of the raw values, the identity of an exact re-delivery;
      - _load_batch, _source_file, _row_number, _row_key: lineage from the loader.
    Both materialisations give the same rows. In a `table` every run reads every raw row (the
    is_incremental() branches below are off). In an incremental model (unique_key='_row_key',
    delete+insert) a run reads only the load batches it has not seen, and re-emits as
    'superseded' the staged rows whose key the new batches update.
    Cost: windows run only over the few rows that share a fingerprint or a key (found by
    aggregation), never over the whole table.
    Consumers read the 'staged' rows (`where _row_status = 'staged'`); audit_quarantined_rows
    keeps the quarantined ones,
    so every raw row is accounted for (tests/singular/assert_raw_rows_reconcile.sql).
#}
{% macro stage_raw_table(source_name, table_name) %}
    {%- set source_relation = source(source_name, table_name) -%}
    {#- at parse time too, so that dbt's manifest records the loader log among the sources -#}
    {%- set load_batches_relation = source('loader', '_load_batches') -%}
    {%- if not execute -%}
        select 1 as _parse_placeholder
    {%- else -%}
        {%- set node = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name)
            | first -%}
        {%- set primary_key = node.meta['primary_key'] -%}
        {%- set row_checks = node.meta.get('row_checks', []) -%}
        {%- set columns = node.columns.values() | list -%}
        {%- set column_names = columns | map(attribute='name') | list -%}
        {%- set personal_columns = [] -%}
        {%- for column in columns if column.meta.get('personal_data') -%}
            {%- do personal_columns.append(column.name) -%}
        {%- endfor -%}
        {#- the SELECT that types every contract column of a relation of raw rows (in place of
            __typed_checked_relation__: the suspects, then every new row), keeps the raw values as
            _raw__<name>, fingerprints them and lists every contract rule the row breaks in
            _rule_reason #}
        {%- set typed_checked -%}
        select
        *,
        nullif(concat_ws(
            '; ',
            nullif(_parse_reasons, ''),
            {%- for column in columns %}
            {%- if column.meta.get('min') is not none %}
            case when {{ column.name }} < {{ column.meta['min'] }} then '{{ column.name }} below {{ column.meta["min"] }}' end,
            {%- endif %}
            {%- if column.meta.get('min_exclusive') is not none %}
            case when {{ column.name }} <= {{ column.meta['min_exclusive'] }} then '{{ column.name }} not above {{ column.meta["min_exclusive"] }}' end,
            {%- endif %}
            {%- if column.meta.get('not_above') %}
            case when {{ column.name }} > {{ column.meta['not_above'] }} then '{{ column.name }} above {{ column.meta["not_above"] }}' end,
            {%- endif %}
            {%- if column.meta.get('not_before') %}
            case when {{ column.name }} < {{ column.meta['not_before'] }} then '{{ column.name }} before {{ column.meta["not_before"] }}' end,
            {%- endif %}
            {%- set kind = column.meta.get('type', 'text') %}
            {%- if kind in ('integer', 'decimal') %}
            {#- default sane bounds: wide enough for any real count of seconds or amount of money, narrow
                enough that sums over millions of rows stay exact in DECIMAL(38, 10) #}
            {%- set default_bounds = (-1000000000, 1000000000) if kind == 'integer' else (-1000000000000, 1000000000000) %}
            case
                when
                    {{ column.name }} < {{ column.meta.get('sane_min', default_bounds[0]) }}
                    or {{ column.name }} > {{ column.meta.get('sane_max', default_bounds[1]) }}
                    then '{{ column.name }} outside sane bounds'
            end,
            {%- elif kind == 'timestamp' %}
            case
                when
                    {{ column.name }} < cast('{{ var("plausible_timestamps_from") }}' as timestamp)
                    {%- if not column.meta.get('allow_future') %}
                    or {{ column.name }} > _plausible_until
                    {%- endif %}
                    then '{{ column.name }} outside the plausible window'
            end,
            {%- endif %}
            {%- endfor %}
            {%- for check in row_checks %}
            case when {{ check['fails_when'] }} then '{{ check["reason"] }}' end,
            {%- endfor %}
            null
        ), '') as _rule_reason
    from (
        select
            _load_batch,
            _source_file,
            _row_number,
            {%- for column in columns %}
            {%- set raw = adapter.quote(column.name) %}
            {%- set kind = column.meta.get('type', 'text') %}
            {%- set parsed_number = 'try_cast(trim(' ~ raw ~ ') as ' ~ ('bigint' if kind == 'integer' else 'double') ~ ')' %}
            {%- if kind == 'id' %}
            nullif(trim({{ raw }}), '') as {{ column.name }},
            {%- elif kind == 'enum' %}
            nullif(lower(trim({{ raw }})), '') as {{ column.name }},
            {%- elif kind == 'timestamp' %}
            {{ parse_timestamp(raw) }} as {{ column.name }},
            {%- elif kind == 'boolean' %}
            case
                when lower(trim({{ raw }})) in ('true', '1', 'yes') then true
                when lower(trim({{ raw }})) in ('false', '0', 'no') then false
            end as {{ column.name }},
            {%- elif kind == 'integer' %}
            {{ parsed_number }} as {{ column.name }},
            {%- elif kind == 'decimal' %}
            {#- NaN and infinities are quarantined ("not a finite number"); typed, they are null (the
                largest double bounds every finite number; NaN compares above it in DuckDB and Spark) #}
            case
                when abs({{ parsed_number }}) <= 1.7976931348623157e308 then {{ parsed_number }}
            end as {{ column.name }},
            {%- else %}
            nullif({{ raw }}, '') as {{ column.name }},
            {%- endif %}
            {%- endfor %}
            {%- for name in column_names %}
            {{ adapter.quote(name) }} as {{ adapter.quote('_raw__' ~ name) }},
            {%- endfor %}
            {{ row_fingerprint(column_names) }} as _raw_fingerprint,
            -- a batch missing from the load log is judged against this run's start
            coalesce(
                load_windows._plausible_until,
                cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
                + interval {{ var('plausible_days_after_load') }} day
            ) as _plausible_until,
            concat_ws(
                '; ',
                {%- for column in columns %}
                {%- set raw = adapter.quote(column.name) %}
                {%- set kind = column.meta.get('type', 'text') %}
                {%- set parsed_number = 'try_cast(trim(' ~ raw ~ ') as ' ~ ('bigint' if kind == 'integer' else 'double') ~ ')' %}
                {%- set parsed_boolean -%}
                    case
                        when lower(trim({{ raw }})) in ('true', '1', 'yes') then true
                        when lower(trim({{ raw }})) in ('false', '0', 'no') then false
                    end
                {%- endset %}
                {%- if column.meta.get('required') %}
                case when nullif(trim({{ raw }}), '') is null then 'missing {{ column.name }}' end,
                {%- endif %}
                {%- if kind == 'timestamp' %}
                case
                    when nullif(trim({{ raw }}), '') is not null and {{ parse_timestamp(raw) }} is null
                        then 'unparseable timestamp in {{ column.name }}'
                end,
                {%- elif kind == 'boolean' %}
                case
                    when nullif(trim({{ raw }}), '') is not null and {{ parsed_boolean }} is null
                        then 'unparseable boolean in {{ column.name }}'
                end,
                {%- elif kind in ('integer', 'decimal') %}
                case
                    when nullif(trim({{ raw }}), '') is not null and {{ parsed_number }} is null
                        then 'not a{{ "n integer" if kind == "integer" else " number" }} in {{ column.name }}'
                end,
                {%- if kind == 'decimal' %}
                case
                    when not abs({{ parsed_number }}) <= 1.7976931348623157e308
                        then '{{ column.name }} not a finite number'
                end,
                {%- endif %}
                {%- elif kind == 'enum' %}
                case
                    when nullif(lower(trim({{ raw }})), '') not in ('{{ column.meta["values"] | join("', '") }}')
                        then 'unknown {{ column.name }} value'
                end,
                {%- endif %}
                {%- endfor %}
                null
            ) as _parse_reasons
        from __typed_checked_relation__ as raw_rows
        left join load_windows
            on raw_rows._load_batch = load_windows._window_load_batch
    ) as typed
        {%- endset -%}
        {%- set new_batches -%}
            {%- if is_incremental() -%}
            where _load_batch > (select coalesce(max(earlier._load_batch), 0) from {{ this }} as earlier)
            {%- endif -%}
        {%- endset -%}
with

load_windows as (
    -- per load batch, the latest plausible instant of its timestamps (the load's start + a margin);
    -- the loader logs one row per batch and table, all with the batch's start
    select
        load_batch as _window_load_batch,
        min(loaded_at) + interval {{ var('plausible_days_after_load') }} day as _plausible_until
    from {{ load_batches_relation }}
    group by load_batch
),

fingerprints as (
    -- narrow and cheap: lineage, key and fingerprint of every raw row of the new load batches
    select
        _load_batch,
        _source_file,
        _row_number,
        nullif(trim({{ adapter.quote(primary_key) }}), '') as _key,
        {{ row_fingerprint(column_names) }} as _raw_fingerprint
    from {{ source_relation }}
    {{ new_batches }}
),

{%- if is_incremental() %}

earlier_fingerprints as (
    -- the new rows' fingerprints an earlier run staged already: an inner join, so that the hash
    -- table is built on the few new rows and the whole table only probes it (an IN subquery
    -- would hash every earlier fingerprint: 2 s of a 2.6 s run on 15 M ticket events)
    select distinct earlier._raw_fingerprint
    from {{ this }} as earlier
    inner join fingerprints
        on earlier._raw_fingerprint = fingerprints._raw_fingerprint
),
{%- endif %}

repeated_fingerprints as (
    select _raw_fingerprint
    from fingerprints
    group by _raw_fingerprint
    having count(*) > 1
    {%- if is_incremental() %}
    union
    select _raw_fingerprint
    from earlier_fingerprints
    {%- endif %}
),

repeated_keys as (
    select _key
    from fingerprints
    where _key is not null
    group by _key
    having count(*) > 1
),

suspect_lineage as (
    select
        _load_batch,
        _source_file,
        _row_number
    from fingerprints
    where
        _raw_fingerprint in (select repeated_fingerprints._raw_fingerprint from repeated_fingerprints)
        or _key in (select repeated_keys._key from repeated_keys)
),

suspects as (
    -- the few raw rows that share a fingerprint or a key with another row
    select raw_rows.*
    from suspect_lineage
    inner join {{ source_relation }} as raw_rows
        on
            suspect_lineage._load_batch = raw_rows._load_batch
            and suspect_lineage._source_file = raw_rows._source_file
            and suspect_lineage._row_number = raw_rows._row_number
),

suspect_states as (
    select
        _load_batch,
        _source_file,
        _row_number,
        {{ primary_key }} as _key,
        _raw_fingerprint,
        _rule_reason is null as _is_valid
    from (
        {{ typed_checked | replace('__typed_checked_relation__', 'suspects') | indent(8) }}
    ) as suspect_rows
),

duplicates as (
    -- byte-identical to an earlier raw row (this run or an earlier one): a re-delivery
    select
        _load_batch,
        _source_file,
        _row_number
    from (
        select
            *,
            row_number() over (
                partition by _raw_fingerprint
                order by _load_batch, _source_file, _row_number
            ) > 1
            {%- if is_incremental() %}
            or _raw_fingerprint in (select earlier_fingerprints._raw_fingerprint from earlier_fingerprints)
            {%- endif %} as _is_duplicate
        from suspect_states
        where _raw_fingerprint in (select repeated_fingerprints._raw_fingerprint from repeated_fingerprints)
    ) as fingerprinted
    where _is_duplicate
),

candidates as (
    -- valid suspects that are not duplicates: the ones the key rules apply to
    select suspect_states.*
    from suspect_states
    left join duplicates
        on
            suspect_states._load_batch = duplicates._load_batch
            and suspect_states._source_file = duplicates._source_file
            and suspect_states._row_number = duplicates._row_number
    where suspect_states._is_valid and duplicates._row_number is null
),

key_versions as (
    select
        *,
        -- a second row with the same key but other values within one load batch
        row_number() over (
            partition by _key, _load_batch
            order by _source_file, _row_number
        ) as _key_version
    from candidates
),

key_recency as (
    select
        *,
        -- the latest batch's version wins; earlier batches' versions are superseded
        row_number() over (partition by _key order by _load_batch desc) as _key_recency
    from key_versions
    where _key_version = 1
),

exceptions as (
    select
        _load_batch,
        _source_file,
        _row_number,
        'duplicate' as _row_status
    from duplicates
    union all
    select
        _load_batch,
        _source_file,
        _row_number,
        'conflict' as _row_status
    from key_versions
    where _key_version > 1
    union all
    select
        _load_batch,
        _source_file,
        _row_number,
        'superseded' as _row_status
    from key_recency
    where _key_recency > 1
),

new_raw_rows as (
    select * from {{ source_relation }}
    {{ new_batches }}
),

checked as (
    {{ typed_checked | replace('__typed_checked_relation__', 'new_raw_rows') | indent(4) }}
),

statuses as (
    select
        checked.*,
        case
            when exceptions._row_status = 'duplicate' then 'duplicate'
            when checked._rule_reason is not null or exceptions._row_status = 'conflict' then 'quarantined'
            when exceptions._row_status = 'superseded' then 'superseded'
            else 'staged'
        end as _row_status,
        case
            when exceptions._row_status = 'duplicate' then null
            when exceptions._row_status = 'conflict'
                then 'duplicate {{ primary_key }} with different values in one load (first kept)'
            else checked._rule_reason
        end as _quarantine_reason
    from checked
    left join exceptions
        on
            checked._load_batch = exceptions._load_batch
            and checked._source_file = exceptions._source_file
            and checked._row_number = exceptions._row_number
),

new_rows as (
    select
        {%- for name in column_names %}
        {{ name }},
        {%- endfor %}
        _row_status,
        _quarantine_reason,
        case
            when _row_status in ('quarantined', 'duplicate') then {{ row_to_json(column_names, '_raw__', personal_columns) }}
        end as _raw_row,
        _raw_fingerprint,
        _load_batch,
        _source_file,
        _row_number,
        cast(_load_batch as varchar) || ':' || _source_file || ':' || cast(_row_number as varchar)
            as _row_key
    from statuses
),

{%- if is_incremental() %}

updated_rows as (
    -- staged rows of earlier runs whose key the new batches deliver again, valid: superseded
    select
        {%- for name in column_names %}
        earlier.{{ name }},
        {%- endfor %}
        'superseded' as _row_status,
        cast(null as varchar) as _quarantine_reason,
        earlier._raw_row,
        earlier._raw_fingerprint,
        earlier._load_batch,
        earlier._source_file,
        earlier._row_number,
        earlier._row_key
    from {{ this }} as earlier
    where
        earlier._row_status = 'staged'
        and earlier.{{ primary_key }} in (
            select new_rows.{{ primary_key }} from new_rows where new_rows._row_status = 'staged'
        )
),
{%- endif %}

final as (
    select * from new_rows
    {%- if is_incremental() %}
    union all
    select * from updated_rows
    {%- endif %}
)

select * from final
    {%- endif -%}
{% endmacro %}
