-- What the Triage editor offers for services and categories: the catalog's services and
-- every service and category the store holds (the taxonomy's categories are added by the
-- page, which knows the configuration).
-- Params: none
select 'service' as field, service as value from service_catalog
union
select 'service', service from incident_services
union
select 'category', category from incident_categories
order by field, value
