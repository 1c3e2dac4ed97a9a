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


{% macro row_to_json(column_names) -%}
    {{ return(adapter.dispatch('row_to_json', 'cx_warehouse')(column_names)) }}
{%- endmacro %}

{% macro duckdb__row_to_json(column_names) -%}
    cast(to_json(struct_pack(
        {%- for name in column_names %}
        {{ adapter.quote(name) }} := {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro default__row_to_json(column_names) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
