-- The periodic checks a person must report (S3.6-3) are those of the services they manage or
-- administer (issue 8): found by these indexes, a reader who oversees no unit no longer walks
-- every check due to find none.
CREATE INDEX services_business_system_manager ON services (business_system_manager_id);
CREATE INDEX services_infrastructure_manager ON services (infrastructure_manager_id);
