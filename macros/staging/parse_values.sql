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


{% macro parse_boolean(expression) -%}
    {{ return(adapter.dispatch('parse_boolean', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__parse_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', '1', 'yes') then true
        when lower(trim({{ expression }})) in ('false', '0', 'no') then false
    end
{%- endmacro %}


{% macro parse_number(expression, number_type) -%}
    {{ return(adapter.dispatch('parse_number', 'cx_warehouse')(expression, number_type)) }}
{%- endmacro %}

{% macro duckdb__parse_number(expression, number_type) -%}
    try_cast(trim({{ expression }}) as {{ 'bigint' if number_type == 'integer' else 'double' }})
{%- endmacro %}

{% macro default__parse_number(expression, number_type) -%}
    try_cast(trim({{ expression }}) as {{ 'bigint' if number_type == 'integer' else 'double' }})
{%- endmacro %}


{% macro normalise_enum(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}


{% macro clean_id(expression) -%}
    nullif(trim({{ expression }}), '')
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
        {{ adapter.quote(name) }} := {{ _json_value(adapter.quote(prefix ~ name), name in masked_columns) }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro default__row_to_json(column_names, prefix='', masked_columns=[]) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ _json_value(adapter.quote(prefix ~ name), name in masked_columns) }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{# _json_value(expression, is_masked): the value, or "<personal data>" in its place when masked. #}
{% macro _json_value(expression, is_masked) -%}
    {%- if is_masked -%}
        case when {{ expression }} is not null then '<personal data>' end
    {%- else -%}
        {{ expression }}
    {%- endif -%}
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


{# is_finite_number(expression): true for a number that is neither NaN nor an infinity. #}
{% macro is_finite_number(expression) -%}
    {{ return(adapter.dispatch('is_finite_number', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__is_finite_number(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite_number(expression) -%}
    (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}


{#
    sane_number_bounds(number_type): the default (min, max) of a numeric contract column whose
    meta sets no sane_min/sane_max. Wide enough for any real count of seconds or amount of
    money, narrow enough that sums over millions of rows stay exact in DECIMAL(38, 10).
#}
{% macro sane_number_bounds(number_type) -%}
    {%- if number_type == 'integer' -%}
        {{ return((-1000000000, 1000000000)) }}
    {%- else -%}
        {{ return((-1000000000000, 1000000000000)) }}
    {%- endif -%}
{%- endmacro %}
