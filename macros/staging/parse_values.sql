{#
    Cross-database parsers for raw VARCHAR export values (raw-contract.md "Rules for every table").
    Each returns null for a value it cannot parse; stage_raw_table turns "raw value present but
    parsed value null" into a quarantine reason, so nothing is silently nulled.
#}

{% macro parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(expression) -%}
    (try_cast(trim({{ expression }}) as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro spark__parse_timestamp(expression) -%}
    to_utc_timestamp(try_to_timestamp(trim({{ expression }})), 'UTC')
{%- endmacro %}

{% macro default__parse_timestamp(expression) -%}
    cast(trim({{ expression }}) as timestamp)
{%- endmacro %}


{#
    row_to_json(column_names, prefix='', masked_columns=[]): the columns <prefix><name> as one JSON
    object keyed <name>; a non-null value of a masked column is written as "<personal data>".
#}
{% macro row_to_json(column_names, prefix='', masked_columns=[]) -%}
    {{ return(adapter.dispatch('row_to_json', 'cx_warehouse')(column_names, prefix, masked_columns)) }}
{%- endmacro %}

{% macro duckdb__row_to_json(column_names, prefix='', masked_columns=[]) -%}
    cast(to_json(struct_pack(
        {%- for name in column_names %}
        {{ adapter.quote(name) }} :=
        {%- if name in masked_columns %} case when {{ adapter.quote(prefix ~ name) }} is not null then '<personal data>' end
        {%- else %} {{ adapter.quote(prefix ~ name) }}
        {%- endif %}
        {{- ',' if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro default__row_to_json(column_names, prefix='', masked_columns=[]) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}',
        {%- if name in masked_columns %} case when {{ adapter.quote(prefix ~ name) }} is not null then '<personal data>' end
        {%- else %} {{ adapter.quote(prefix ~ name) }}
        {%- endif %}
        {{- ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}


{#
    row_fingerprint(column_names): a 128-bit fingerprint (md5) of the raw values, the identity of
    an exact re-delivery. A null and an empty text differ; so do values split differently.
#}
{% macro row_fingerprint(column_names) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'cx_warehouse')(column_names)) }}
{%- endmacro %}

{% macro duckdb__row_fingerprint(column_names) -%}
    md5_number(concat_ws(chr(31),
        {%- for name in column_names %}
        coalesce({{ adapter.quote(name) }}, chr(0)){{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro default__row_fingerprint(column_names) -%}
    md5(concat_ws(chr(31),
        {%- for name in column_names %}
        coalesce({{ adapter.quote(name) }}, chr(0)){{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
