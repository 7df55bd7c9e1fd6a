package dev.tokenrefresher.scheduler.security;

/** What an API key may do. Configured in kebab case: {@code admin}, {@code token-reader}. */
public enum ApiRole {
    /** Manage connections and dead letters: everything except reading tokens. */
    ADMIN,
    /** Read fresh access tokens ({@code GET /api/connections/{id}/access-token}), nothing else. */
    TOKEN_READER;

    /** The Spring Security authority of this role. */
    String authority() {
        return "ROLE_" + name();
    }
}
