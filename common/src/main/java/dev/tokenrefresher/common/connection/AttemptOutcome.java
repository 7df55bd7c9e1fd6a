package dev.tokenrefresher.common.connection;

/** What came of one provider call. */
public enum AttemptOutcome {
    /** New tokens were issued and stored. */
    REFRESHED,
    /** New tokens were issued but another actor had stored a newer refresh token meanwhile; ours were dropped. */
    SUPERSEDED,
    /** New tokens were issued but the connection was disconnected meanwhile; they were dropped. */
    DISCONNECTED,
    /** {@code invalid_grant}: the refresh token is dead. */
    REAUTH_REQUIRED,
    /** The provider refused our client credentials or the request; retrying cannot help until someone fixes it. */
    REJECTED,
    /** A failure that may pass: 429, 5xx, timeout, connection error, malformed answer. */
    TRANSIENT_FAILURE
}
