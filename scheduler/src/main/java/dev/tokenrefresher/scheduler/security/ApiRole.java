package dev.tokenrefresher.scheduler.security;

/** What an API key may do. Configured in kebab case: {@code admin}, {@code token-reader}, {@code connect}. */
public enum ApiRole {
    /** Manage connections and dead letters: everything except reading tokens. */
    ADMIN,
    /** Read fresh access tokens ({@code GET /api/connections/{id}/access-token}), nothing else. */
    TOKEN_READER,
    /**
     * Make connect and reconnect sessions and read them ({@code /api/connect-sessions},
     * {@code POST /api/connections/{id}/reconnect-session}), nothing else: for the part of a host app that onboards
     * tenants.
     */
    CONNECT;

    /** The Spring Security authority of this role. */
    String authority() {
        return "ROLE_" + name();
    }
}
