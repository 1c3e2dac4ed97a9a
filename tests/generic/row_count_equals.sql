{#
    row_count_equals(compare_model, where=none, compare_where=none)
    Layer-integrity test: fails when the model and compare_model (each optionally filtered)
    do not hold the same number of rows.
#}
{% test row_count_equals(model, compare_model, model_where='true', compare_where='true') %}

with

model_rows as (
    select count(*) as row_count from {{ model }} where {{ model_where }}
),

compare_rows as (
    select count(*) as row_count from {{ compare_model }} where {{ compare_where }}
)

select
    model_rows.row_count as model_row_count,
    compare_rows.row_count as compare_row_count
from model_rows
cross join compare_rows
where model_rows.row_count != compare_rows.row_count

{% endtest %}
