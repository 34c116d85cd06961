-- A service's timeline is read newest first, a page at a time, keyset by seq: its own events
-- (service_id) and those of the application it came from (entity, entity_id). Each half reads
-- an index in seq order and stops at the page's end. They replace the indexes without seq.
CREATE INDEX audit_events_service_seq ON audit_events (service_id, seq);
CREATE INDEX audit_events_entity_seq ON audit_events (entity, entity_id, seq);
DROP INDEX audit_events_service;
DROP INDEX audit_events_entity;
