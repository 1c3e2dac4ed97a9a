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
