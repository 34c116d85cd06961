-- The overseers' lists of re-checks and corrective actions in every state are read soonest due
-- first (issue 8): without these, a page sorted every one of them (45 ms at 50,000 services).
CREATE INDEX rechecks_due ON rechecks (due_on, id);
CREATE INDEX corrective_actions_due ON corrective_actions (due_on, id);
