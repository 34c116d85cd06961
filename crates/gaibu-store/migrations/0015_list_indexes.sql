-- Indexes for the lists filtered and paged in the database (issue 8): each serves a filter
-- the lists offer, with the id last so that a filtered page is read in keyset order.
CREATE INDEX org_units_parent ON org_units (parent_id);
CREATE INDEX users_org ON users (org_unit_id);
CREATE INDEX services_status ON services (ledger_status, id);
CREATE INDEX services_org ON services (org_unit_id, id);
CREATE INDEX services_provider ON services (provider, id);
CREATE INDEX services_name ON services (name, id);
CREATE INDEX services_confidentiality ON services (confidentiality, id);
CREATE INDEX services_administrator ON services (administrator_id, id);
CREATE INDEX usage_register_org ON usage_register (org_unit_id, id);
CREATE INDEX applications_state ON applications (state, id);
CREATE INDEX applications_org_id ON applications (org_unit_id, id);
CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX evidence_expiry ON evidence (expires_on);
