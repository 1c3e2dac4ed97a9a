{#
    Use the folder's custom schema as-is (staging, intermediate, marts, audit, reference)
    instead of dbt's default "<target_schema>_<custom>", so BI tools read stable names
    such as marts.kpi_values.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
