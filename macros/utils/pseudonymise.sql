{#
    pseudonymise(expression): stable pseudonymous key (salted md5, the same SQL in DuckDB and
    Spark) for a personal identifier. The salt is the deployment's secret (var
    pseudonymisation_salt, from CX_PSEUDONYMISATION_SALT): without it the build stops rather
    than publish keys anyone could recompute.
#}
{% macro pseudonymise(expression) -%}
    {%- if execute and not var('pseudonymisation_salt') -%}
        {{ exceptions.raise_compiler_error(
            'pseudonymisation_salt is empty: set CX_PSEUDONYMISATION_SALT (see README, "Security")'
        ) }}
    {%- endif -%}
    md5('{{ var("pseudonymisation_salt") }}' || '|' || {{ expression }})
{%- endmacro %}
