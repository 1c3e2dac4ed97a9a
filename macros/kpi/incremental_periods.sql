{#
    Bookkeeping macros of the incremental models outside the metrics layer (run stamps, row
    hashes, key fingerprints). The metrics layer no longer uses them: its one incremental model,
    int_kpi_aggregates__observations, finds the periods to recompute from its own stored day
    rows (docs/architecture.md "Incremental KPI aggregates"). They stay here until their last
    readers (intermediate and core models) are gone.
#}


{# run_stamp(): the start of this dbt invocation (UTC) as a timestamp, the _computed_at of the rows
   a run (re)computes. Later runs have later stamps. #}
{% macro run_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{# row_hash(columns): a 64-bit hash of the listed columns of a row, to compare sets of rows by
   their sum. Dispatched. #}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'cx_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}


{# computed_since_last_run(): a predicate keeping the rows of a fingerprint table (date_fingerprints)
   stamped after the latest _computed_at of this model ({{ this }}), i.e. the dates that changed
   since the model last ran; every row when the model is empty. For incremental runs only. #}
{% macro computed_since_last_run() -%}
    {{ require_bookkeeping_column('_computed_at') }}
    {{- '_computed_at' }} > (
        select coalesce(max(processed._computed_at), cast('0001-01-01' as timestamp))
        from {{ this }} as processed
    )
{%- endmacro %}


{#
    key_fingerprints(relation, key_column, columns)

    Body of an incremental fingerprint model (unique_key = key_column): one row per key of
    `relation` (a date, a customer) with row_count, fingerprint (the sum of row_hash(columns) of
    its rows) and _computed_at. A full build stamps every key with run_stamp(); an incremental run
    compares the fresh fingerprints with the stored ones and returns only the keys that differ,
    stamped run_stamp() (a key whose rows all disappeared comes back with row_count 0 and stays
    so), so the model's consumers can redo just what those keys feed. `columns` must leave out
    bookkeeping such as _load_batch, which changes when a row is recomputed unchanged. Rows with a
    null key are not fingerprinted.
#}
{% macro key_fingerprints(relation, key_column, columns) -%}
with

rows_to_fingerprint as (
    select * from {{ relation }}
),

fingerprints as (
    select
        {{ key_column }},
        count(*) as row_count,
        sum({{ row_hash(columns) }}) as fingerprint
    from rows_to_fingerprint
    where {{ key_column }} is not null
    group by {{ key_column }}
),

{% if is_incremental() %}
previous_fingerprints as (
    select * from {{ this }}
),

changed_keys as (
    select
        coalesce(fingerprints.{{ key_column }}, previous_fingerprints.{{ key_column }}) as {{ key_column }},
        coalesce(fingerprints.row_count, 0) as row_count,
        coalesce(fingerprints.fingerprint, 0) as fingerprint
    from fingerprints
    full outer join previous_fingerprints
        on fingerprints.{{ key_column }} = previous_fingerprints.{{ key_column }}
    where
        previous_fingerprints.{{ key_column }} is null
        or coalesce(fingerprints.row_count, 0) != previous_fingerprints.row_count
        or coalesce(fingerprints.fingerprint, 0) != previous_fingerprints.fingerprint
),
{% else %}
changed_keys as (
    select * from fingerprints
),
{% endif %}

final as (
    select
        {{ key_column }},
        row_count,
        fingerprint,
        {{ run_stamp() }} as _computed_at
    from changed_keys
)

select * from final
{%- endmacro %}


{# date_fingerprints(relation, date_column, columns): key_fingerprints() keyed by a date column. #}
{% macro date_fingerprints(relation, date_column, columns) -%}
    {{ return(key_fingerprints(relation, date_column, columns)) }}
{%- endmacro %}
