-- The chain's head follows each appended event in the database itself: an event is refused
-- unless it is the one after the head (its number and the hash it links to), and the head then
-- moves to it. An append was three statements (move the head, insert, store the hash) and is
-- one; a writer that holds the head from its last write need not read it again (issue 8:
-- seeding rate), and whoever inserts by hand cannot fork or skip the chain.
-- sqlite only
CREATE TRIGGER audit_events_follow_head BEFORE INSERT ON audit_events
WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
  OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit chain head moved'); END;
CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events
BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END;
-- postgres only
CREATE FUNCTION audit_events_move_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash
    WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit chain head moved';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_events_move_head BEFORE INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_move_head();
-- both
-- A notification's e-mail is queued by the same statement that records it (it took a second).
-- sqlite only
CREATE TRIGGER notifications_mail AFTER INSERT ON notifications
BEGIN
    INSERT INTO email_outbox (notification_id, created_at)
    SELECT NEW.id, NEW.created_at FROM users WHERE id = NEW.user_id AND email <> '';
END;
-- postgres only
CREATE FUNCTION notifications_mail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO email_outbox (notification_id, created_at)
    SELECT NEW.id, NEW.created_at FROM users WHERE id = NEW.user_id AND email <> '';
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_mail AFTER INSERT ON notifications
FOR EACH ROW EXECUTE FUNCTION notifications_mail();
