{#
    agent_scorecard_kpis()

    The columns of the agent and team monthly marts and the kpi_id behind each: handled volume,
    first response and resolution time (mean seconds), AHT, FCR, CSAT and IQS.
#}
{% macro agent_scorecard_kpis() -%}
    {{ return({
        'handled_volume': 'contact_volume',
        'first_response_time': 'first_response_time',
        'resolution_time': 'resolution_time',
        'aht': 'aht',
        'fcr_rate': 'fcr_rate',
        'csat': 'csat',
        'iqs': 'iqs',
    }) }}
{%- endmacro %}


{# The scorecard columns of a kpi_values selection grouped by one breakdown value: for each
   column of agent_scorecard_kpis(), its value and sample size (denominator); ends with a comma. #}
{% macro agent_scorecard_columns() -%}
    {%- for column, kpi_id in agent_scorecard_kpis().items() %}
    max(case when kpi_id = '{{ kpi_id }}' then value end) as {{ column }},
    max(case when kpi_id = '{{ kpi_id }}' then denominator end) as {{ column }}_sample_size,
    {%- endfor %}
{%- endmacro %}
