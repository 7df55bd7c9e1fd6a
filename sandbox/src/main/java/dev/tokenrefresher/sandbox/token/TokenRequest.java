package dev.tokenrefresher.sandbox.token;

import java.util.Optional;

/**
 * One call of the token endpoint, as far as the authority cares.
 *
 * @param client
 *            the presented client credentials, empty when the request carried none
 * @param grantType
 *            the {@code grant_type} form field, null when missing
 * @param refreshToken
 *            the {@code refresh_token} form field, null when missing
 * @param includeHardExpiry
 *            whether the client asked for {@code x_refresh_token_hard_expires_in}
 */
record TokenRequest(Optional<ClientCredentials> client, String grantType, String refreshToken,
        boolean includeHardExpiry) {

    static final String REFRESH_TOKEN_GRANT = "refresh_token";

    @Override
    public String toString() {
        return "TokenRequest[client=" + client + ", grantType=" + grantType + ", refreshToken="
                + (refreshToken == null ? null : "***") + ", includeHardExpiry=" + includeHardExpiry + "]";
    }
}
