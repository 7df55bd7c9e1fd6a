-- When a dead letter that ended a chain (invalid_grant, answer_lost_after_rotation, refresh_token_expired) stopped
-- describing its connection: a late store of the tokens the provider had rotated for us revived the connection (issue
-- 18, path 6), or it was ACTIVE again by the time the letter was archived. A resolved letter needs no operator: it is
-- not counted as pending and a replay by filter skips it.
ALTER TABLE dead_letter ADD COLUMN resolved_at timestamptz;
