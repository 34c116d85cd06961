-- Reuse of an approved evaluation: the source application and what is still to be re-confirmed.
ALTER TABLE applications ADD COLUMN reuse TEXT NOT NULL DEFAULT '{}';
