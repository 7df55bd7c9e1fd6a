package dev.tokenrefresher.common.provider;

/** What a failed refresh means for the connection (RFC 6749 section 5.2 and HTTP). */
public enum ErrorClass {
    /** {@code invalid_grant}: the refresh token is dead; the tenant must reconnect. */
    REAUTH_REQUIRED,
    /**
     * The provider refused our client ({@code invalid_client}, {@code unauthorized_client}, 401) or the request itself
     * (other 4xx): retrying cannot help until the configuration is fixed; the connection is left as it is.
     */
    REJECTED,
    /** 429, 5xx, timeouts, connection errors, a malformed success answer: retry later. */
    TRANSIENT
}
