-- How pages write dates (issue 10, item 10): the city's choice for everyone, as a named setting
-- (none stored: the Western calendar), and each user's own choice (NULL: the city's).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN date_style TEXT;
