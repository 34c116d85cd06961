-- Indexes for the lifecycle lists paged in the database (issue 8): the checks due, re-checks,
-- corrective actions, ordered checks and terminations, each by the state or unit it is
-- filtered on, then the key it is read in.
CREATE INDEX terminations_org ON terminations (org_unit_id, id);
CREATE INDEX terminations_state_requested ON terminations (state, requested_at, id);
CREATE INDEX rechecks_state_due ON rechecks (state, due_on, id);
CREATE INDEX corrective_actions_state_due ON corrective_actions (state, due_on, id);
CREATE INDEX check_order_targets_state_due ON check_order_targets (state, due_on, id);
CREATE INDEX check_order_targets_order_due ON check_order_targets (order_id, due_on, id);
