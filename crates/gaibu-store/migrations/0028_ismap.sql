-- The ISMAP and ISMAP-LIU lists (issue 11): each import kept as a dated version with its
-- registrations, and the flags the cross-check raises on services whose claimed registration
-- is not listed, expired, withdrawn or does not cover them.

-- A version of a list as imported: the file, who brought it in and when.
CREATE TABLE ismap_lists (
    id {{id}},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    imported_by BIGINT REFERENCES users(id),
    imported_by_login TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
-- The newest version of a kind.
CREATE INDEX ismap_lists_kind ON ismap_lists (kind, imported_at, id);

-- The registrations of a version, found by their number (folded: `normal_number`).
CREATE TABLE ismap_registrations (
    id {{id}},
    list_id BIGINT NOT NULL REFERENCES ismap_lists(id),
    row_number BIGINT NOT NULL,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider TEXT NOT NULL,
    scope TEXT NOT NULL,
    registered_on TEXT,
    audited_until TEXT,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL,
    CONSTRAINT ismap_registrations_number UNIQUE (list_id, number_key)
);
CREATE INDEX ismap_registrations_key ON ismap_registrations (number_key, list_id);

-- A flag on a service: what the cross-check found, against which version, and the re-check
-- it opened (S6.1). At most one open flag a service; a flag stays open while later
-- cross-checks find the same problem, so that it opens its re-check once.
CREATE TABLE ismap_flags (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    number TEXT NOT NULL,
    finding TEXT NOT NULL,
    list_id BIGINT REFERENCES ismap_lists(id),
    registered_name TEXT NOT NULL DEFAULT '',
    registered_provider TEXT NOT NULL DEFAULT '',
    valid_until TEXT,
    recheck_id BIGINT REFERENCES rechecks(id),
    raised_at BIGINT NOT NULL,
    checked_at BIGINT NOT NULL,
    cleared_at BIGINT
);
CREATE UNIQUE INDEX ismap_flags_open ON ismap_flags (service_id) WHERE cleared_at IS NULL;
-- The open flags (few) for the dashboard's count and the list of flagged services.
CREATE INDEX ismap_flags_open_finding ON ismap_flags (cleared_at, finding);
