-- Issue 22 point 3: a refresh token's absolute cap (Intuit's 5 years, x_refresh_token_hard_expires_in), which does not
-- move when the token rotates, and the reauth_due warnings already sent for the connection's current authorization.
ALTER TABLE connection ADD COLUMN refresh_hard_expires_at timestamptz;
-- The smallest number of days ahead of expiry a connection.reauth_due event was sent for (30, 7, 1 by default);
-- NULL when none was. Cleared by a (re)registration: a new authorization starts the warnings again.
ALTER TABLE connection ADD COLUMN reauth_warned_days integer;

-- The reauth_due check and GET /api/connections?reauthDueWithin= look for ACTIVE connections by the earlier of the
-- two expiries (LEAST ignores a NULL).
CREATE INDEX connection_reauth_due_idx ON connection (LEAST(refresh_expires_at, refresh_hard_expires_at))
    WHERE status = 'ACTIVE';

-- The check that forgets warnings whose danger passed reads only rows that had one.
CREATE INDEX connection_reauth_warned_idx ON connection (id) WHERE reauth_warned_days IS NOT NULL;
