{#
    Survey business rules (kpi-catalog.md section A). fct_survey_responses is the only caller;
    every survey KPI reads the flags it produces.
#}

{# csat_is_satisfied(score, scale_min, scale_max): 4 or 5 on the 1-5 scale, "good" (1) on 0-1. #}
{% macro csat_is_satisfied(score, scale_min, scale_max) -%}
    case
        when {{ scale_min }} = 0 and {{ scale_max }} = 1 then {{ score }} = 1
        when {{ scale_min }} = 1 and {{ scale_max }} = 5 then {{ score }} >= 4
    end
{%- endmacro %}

{# nps_group(score): promoter 9-10, passive 7-8, detractor 0-6 on the 0-10 scale. #}
{% macro nps_group(score) -%}
    case
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        when {{ score }} >= 0 then 'detractor'
    end
{%- endmacro %}

{# nps_points(score): +1 promoter, 0 passive, -1 detractor; their mean × 100 is the NPS. #}
{% macro nps_points(score) -%}
    case
        when {{ score }} >= 9 then 1
        when {{ score }} >= 7 then 0
        when {{ score }} >= 0 then -1
    end
{%- endmacro %}

{# ces_is_easy(score): 5-7 on the 1-7 agreement scale ("the company made it easy"). #}
{% macro ces_is_easy(score) -%}
    ({{ score }} >= 5)
{%- endmacro %}
