-- How long the connection's current access token was issued for (the provider's expires_in), so that the API can
-- tell, before it calls the provider, whether a fresh token could meet a caller's minimum validity, and so that a
-- claim's lease can be bounded by the token's life. NULL for rows written before this column: learned at the next
-- refresh.
ALTER TABLE connection ADD COLUMN access_lifetime_seconds integer;
