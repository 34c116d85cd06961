-- The city's LDAP directory (issue 11): which users the directory keeps in step. A user the
-- sync created or matched by login is linked, and deactivated when they leave the directory;
-- a user gaibu alone knows (the first administrator, a contractor's person) is never touched.
-- The directory's settings are a named value of `settings` ('directory', JSON).
ALTER TABLE users ADD COLUMN directory_linked BIGINT NOT NULL DEFAULT 0;
