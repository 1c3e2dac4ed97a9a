-- channel_share: a channel's contact volume / the total contact volume of the period, × 100,
-- from the contact_volume aggregates (so both KPIs count the same requests).
with

aggregates as (
    select * from {{ ref('int_kpi_aggregates__observations') }}
),

volume as (
    select * from aggregates
    where kpi_id = 'contact_volume'
),

totals as (
    select
        period_grain,
        period_start,
        numerator as total_volume
    from volume
    where dimension = 'all'
),

final as (
    select
        'channel_share' as kpi_id,
        volume.period_grain,
        volume.period_start,
        volume.dimension,
        volume.dimension_value,
        volume.numerator,
        totals.total_volume as denominator,
        volume.numerator as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from volume
    inner join totals
        on
            volume.period_grain = totals.period_grain
            and volume.period_start = totals.period_start
    where volume.dimension = 'channel'
)

select * from final
