-- Whether the host app asked, when it disconnected the connection, for its refresh token to be revoked at the
-- provider. A refresh that was in flight then and lands later holds a new refresh token the revocation missed: it is
-- revoked too, if this says so.
ALTER TABLE connection ADD COLUMN revoke_requested boolean NOT NULL DEFAULT false;
