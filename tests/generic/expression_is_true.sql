{#
    expression_is_true(expression)
    Fails on every row for which the SQL boolean expression is false (null counts as passing,
    so write "x is not null and ..." when null must fail).
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
