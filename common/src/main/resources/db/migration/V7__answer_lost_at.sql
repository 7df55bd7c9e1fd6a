-- When a token request with the stored refresh token went out and its answer was lost (the connection broke after
-- the request was sent, a 5xx, a truncated or unreadable 200, a timeout): the provider may have rotated the token and
-- the new one never arrived. A later invalid_grant for the same token then ends the chain as
-- answer_lost_after_rotation, not as a plain invalid_grant. Storing a new refresh token (a refresh, a reconnect)
-- clears it.
ALTER TABLE connection ADD COLUMN answer_lost_at timestamptz;
