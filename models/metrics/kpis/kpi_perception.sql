-- Survey and quality KPIs side by side (wide) per period and breakdown.
{{ pivot_kpi_values(
    ['csat', 'nps', 'ces', 'ces_easy_share', 'cx_rating', 'iqs', 'survey_response_rate'],
) }}
