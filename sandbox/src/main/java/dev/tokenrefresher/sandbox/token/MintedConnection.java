package dev.tokenrefresher.sandbox.token;

/**
 * A new connection with its first tokens, as the authorization-code exchange would hand them out.
 *
 * @param expiresIn
 *            seconds the access token lives
 * @param xRefreshTokenExpiresIn
 *            seconds until the refresh token's rolling expiry
 */
record MintedConnection(String realmId, String accessToken, String refreshToken, String tokenType, long expiresIn,
        long xRefreshTokenExpiresIn) {

    @Override
    public String toString() {
        return "MintedConnection[realmId=" + realmId + "]";
    }
}
