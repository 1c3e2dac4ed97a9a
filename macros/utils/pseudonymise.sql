{# pseudonymise(expression): stable pseudonymous key (salted md5) for a personal identifier. #}
{% macro pseudonymise(expression) -%}
    {{ return(adapter.dispatch('pseudonymise', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__pseudonymise(expression) -%}
    md5('{{ var("pseudonymisation_salt") }}' || '|' || {{ expression }})
{%- endmacro %}
