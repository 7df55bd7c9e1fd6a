package dev.tokenrefresher.sandbox.token;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * A new connection with its first tokens, as the authorization-code exchange would hand them out.
 *
 * @param expiresIn
 *            seconds the access token lives
 * @param xRefreshTokenExpiresIn
 *            seconds until the refresh token's rolling expiry
 * @param issuedAt
 *            when the tokens were minted, by the sandbox's clock; not part of the {@code POST /sandbox/connections}
 *            answer (Intuit's token response has no such field), but a registration with the scheduler needs it
 */
public record MintedConnection(String realmId, String accessToken, String refreshToken, String tokenType,
        long expiresIn, long xRefreshTokenExpiresIn, @JsonIgnore Instant issuedAt) {

    @Override
    public String toString() {
        return "MintedConnection[realmId=" + realmId + "]";
    }
}
