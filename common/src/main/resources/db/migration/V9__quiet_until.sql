-- Issue 19, point 2: after a token request that timed out (or that a gateway answered 504) the provider may still be
-- serving it. Until quiet_until, by the database's clock, nobody claims the connection, so no second call with the
-- same refresh token overlaps the first: the holder sets it to statement_timestamp() + the provider's
-- timeout-quiet-period when it gives the claim back. Storing a new refresh token (a refresh, a reconnect) clears it.
ALTER TABLE connection ADD COLUMN quiet_until timestamptz;
