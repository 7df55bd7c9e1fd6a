package dev.tokenrefresher.sandbox.token;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A successful token response with Intuit's field names, serialised as it is.
 *
 * @param expiresIn
 *            seconds the access token lives
 * @param refreshTokenExpiresIn
 *            seconds until the refresh token's rolling expiry
 * @param refreshTokenHardExpiresIn
 *            seconds until the chain's hard cap; null unless the client asked for it
 */
record TokenGrant(
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("x_refresh_token_expires_in") long refreshTokenExpiresIn,
        @JsonProperty("x_refresh_token_hard_expires_in") @JsonInclude(JsonInclude.Include.NON_NULL) Long refreshTokenHardExpiresIn)
        implements
            TokenAnswer {

    static final String BEARER = "bearer";

    @Override
    public int status() {
        return 200;
    }

    @Override
    public String toString() {
        return "TokenGrant[expiresIn=" + expiresIn + ", refreshTokenExpiresIn=" + refreshTokenExpiresIn + "]";
    }
}
