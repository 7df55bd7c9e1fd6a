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
 * @param code
 *            the {@code code} form field of the authorization-code grant, null when missing
 * @param redirectUri
 *            the {@code redirect_uri} form field of the authorization-code grant, null when missing
 * @param codeVerifier
 *            the {@code code_verifier} form field (PKCE) of the authorization-code grant, null when missing
 */
record TokenRequest(Optional<ClientCredentials> client, String grantType, String refreshToken,
        boolean includeHardExpiry, String code, String redirectUri, String codeVerifier) {

    static final String REFRESH_TOKEN_GRANT = "refresh_token";
    static final String AUTHORIZATION_CODE_GRANT = "authorization_code";

    /** A refresh-token grant request. */
    TokenRequest(Optional<ClientCredentials> client, String grantType, String refreshToken,
            boolean includeHardExpiry) {
        this(client, grantType, refreshToken, includeHardExpiry, null, null, null);
    }

    @Override
    public String toString() {
        return "TokenRequest[client=" + client + ", grantType=" + grantType + ", refreshToken="
                + (refreshToken == null ? null : "***") + ", includeHardExpiry=" + includeHardExpiry + ", code="
                + (code == null ? null : "***") + ", redirectUri=" + redirectUri + ", codeVerifier="
                + (codeVerifier == null ? null : "***") + "]";
    }
}
