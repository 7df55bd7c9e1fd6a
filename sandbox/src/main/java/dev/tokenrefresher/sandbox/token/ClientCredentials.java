package dev.tokenrefresher.sandbox.token;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * A client id and secret as presented to the token endpoint. {@link #toString()} hides the secret so it cannot reach a
 * log by accident.
 */
record ClientCredentials(String clientId, String clientSecret) {

    private static final String BASIC_PREFIX = "basic ";

    /**
     * Reads the credentials the way Intuit accepts them: from an HTTP Basic header (client_secret_basic) or, without
     * one, from the {@code client_id} and {@code client_secret} form fields (client_secret_post).
     *
     * @return empty when neither way carries complete credentials
     */
    static Optional<ClientCredentials> fromRequest(String authorizationHeader, String formClientId,
            String formClientSecret) {
        if (authorizationHeader != null) {
            return fromBasicHeader(authorizationHeader);
        }
        if (formClientId == null || formClientSecret == null) {
            return Optional.empty();
        }
        return Optional.of(new ClientCredentials(formClientId, formClientSecret));
    }

    private static Optional<ClientCredentials> fromBasicHeader(String header) {
        if (!header.regionMatches(true, 0, BASIC_PREFIX, 0, BASIC_PREFIX.length())) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(BASIC_PREFIX.length()).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        // RFC 6749 section 2.3.1: id and secret are form-url-encoded before they are joined and base64-encoded
        try {
            return Optional.of(new ClientCredentials(formDecode(decoded.substring(0, colon)),
                    formDecode(decoded.substring(colon + 1))));
        } catch (IllegalArgumentException badEncoding) {
            return Optional.empty();
        }
    }

    private static String formDecode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    /** Compares in constant time, as a real authorization server must, even though this one is a stand-in. */
    boolean matches(ClientCredentials other) {
        return other != null && MessageDigest.isEqual(bytes(clientId), bytes(other.clientId))
                && MessageDigest.isEqual(bytes(clientSecret), bytes(other.clientSecret));
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", clientSecret=***]";
    }
}
