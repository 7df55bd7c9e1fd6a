package dev.tokenrefresher.common.connection;

/** Where a connection's refresh chain stands. */
public enum ConnectionStatus {
    /** The chain is alive: a refresh message is (or will be) scheduled, unless the connection is parked. */
    ACTIVE,
    /** The provider refused the refresh token ({@code invalid_grant}) or it expired: the tenant must reconnect. */
    REAUTH_REQUIRED,
    /** The host app disconnected it; no refresh happens. */
    DISCONNECTED
}
