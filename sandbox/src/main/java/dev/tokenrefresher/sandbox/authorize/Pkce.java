package dev.tokenrefresher.sandbox.authorize;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/** RFC 7636 with the S256 method only: Intuit's apps use it, and {@code plain} protects nothing. */
final class Pkce {

    static final String S256 = "S256";
    /** code-challenge and code-verifier alike: 43 to 128 unreserved characters (RFC 7636 sections 4.1 and 4.2). */
    private static final Pattern UNRESERVED_43_TO_128 = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private Pkce() {
    }

    static boolean wellFormed(String challengeOrVerifier) {
        return challengeOrVerifier != null && UNRESERVED_43_TO_128.matcher(challengeOrVerifier).matches();
    }

    /** BASE64URL(SHA256(ASCII(verifier))), without padding. */
    static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException impossible) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(impossible);
        }
    }

    /** Compares in constant time, as for any secret. */
    static boolean verifies(String verifier, String challenge) {
        return wellFormed(verifier) && MessageDigest.isEqual(challengeOf(verifier).getBytes(StandardCharsets.US_ASCII),
                challenge.getBytes(StandardCharsets.US_ASCII));
    }
}
