-- A service's timeline is read newest first, a page at a time, keyset by seq: its own events
-- (service_id) and those of the application it came from (entity, entity_id). Each half reads
-- an index in seq order and stops at the page's end. They replace the indexes without seq.
CREATE INDEX audit_events_service_seq ON audit_events (service_id, seq);
CREATE INDEX audit_events_entity_seq ON audit_events (entity, entity_id, seq);
DROP INDEX audit_events_service;
DROP INDEX audit_events_entity;

-- The dashboard's counts read indexes only: services by unit, classification and status;
-- the periodic checks due by status and date; the applications waiting by state and unit.
CREATE INDEX services_dashboard ON services (org_unit_id, confidentiality, ledger_status);
CREATE INDEX services_check_due ON services (ledger_status, next_check_due, org_unit_id);
CREATE INDEX applications_waiting ON applications (state, org_unit_id, submitted_at);
