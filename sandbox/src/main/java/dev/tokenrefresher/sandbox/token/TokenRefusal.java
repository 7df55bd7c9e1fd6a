package dev.tokenrefresher.sandbox.token;

/**
 * An OAuth2 error answer.
 *
 * @param description
 *            the {@code error_description}, null when the error code says it all
 */
record TokenRefusal(OAuthError error, String description) implements TokenAnswer {

    @Override
    public int status() {
        return error.status().value();
    }

    static TokenRefusal of(OAuthError error) {
        return new TokenRefusal(error, null);
    }

    static TokenRefusal invalidGrant(InvalidGrantReason reason) {
        return new TokenRefusal(OAuthError.INVALID_GRANT, reason.description());
    }
}
