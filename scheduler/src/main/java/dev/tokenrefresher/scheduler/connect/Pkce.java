package dev.tokenrefresher.scheduler.connect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Proof Key for Code Exchange (RFC 7636) with the S256 method, the only one a connect session uses. */
final class Pkce {

    static final String METHOD = "S256";

    private Pkce() {
    }

    /** The challenge sent with the authorization request: BASE64URL(SHA-256(ASCII(verifier))), unpadded. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
