-- Caches that stay correct with several instances on one database.
--
-- The organisation tree is cached in each instance, keyed by this version number: every
-- change to org_units moves it in the same transaction (a trigger, so no writer can forget),
-- and the query that identifies the caller reads it, so a change made through another instance
-- is seen on the next request.
CREATE TABLE org_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO org_version (id, version) VALUES (1, 1);

-- A parsed policy version is cached by its id: what it says never changes once loaded. Only
-- its status (and who approved it, when) moves; the database refuses any other change.
-- sqlite only
CREATE TRIGGER org_units_version_insert AFTER INSERT ON org_units
BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER org_units_version_update AFTER UPDATE ON org_units
BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER org_units_version_delete AFTER DELETE ON org_units
BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER policy_versions_immutable
BEFORE UPDATE OF kind, version, title_ja, title_en, content, content_sha256, loaded_at
ON policy_versions
BEGIN SELECT RAISE(ABORT, 'a policy version''s content is immutable'); END;
-- postgres only
CREATE FUNCTION org_units_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE org_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER org_units_version AFTER INSERT OR UPDATE OR DELETE ON org_units
FOR EACH STATEMENT EXECUTE FUNCTION org_units_version_bump();
CREATE FUNCTION policy_versions_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a policy version''s content is immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_versions_immutable BEFORE UPDATE ON policy_versions
FOR EACH ROW WHEN (
    OLD.kind IS DISTINCT FROM NEW.kind OR OLD.version IS DISTINCT FROM NEW.version
    OR OLD.title_ja IS DISTINCT FROM NEW.title_ja OR OLD.title_en IS DISTINCT FROM NEW.title_en
    OR OLD.content IS DISTINCT FROM NEW.content
    OR OLD.content_sha256 IS DISTINCT FROM NEW.content_sha256
    OR OLD.loaded_at IS DISTINCT FROM NEW.loaded_at
)
EXECUTE FUNCTION policy_versions_immutable();
-- both
