package dev.tokenrefresher.sandbox.token;

import java.security.SecureRandom;
import java.util.Base64;

/** Makes unguessable tokens and realm ids. */
final class SecureTokens {

    // The prefixes make a leaked sandbox token easy to grep for in logs and dumps.
    static final String ACCESS_TOKEN_PREFIX = "sbx_at_";
    static final String REFRESH_TOKEN_PREFIX = "sbx_rt_";
    /** Intuit's production realm ids are 16-digit numbers that start like this. */
    static final String REALM_ID_PREFIX = "9130";

    private static final int TOKEN_BYTES = 32;
    private static final long REALM_ID_SUFFIX_BOUND = 1_000_000_000_000L;

    private final SecureRandom random = new SecureRandom();
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

    String accessToken() {
        return ACCESS_TOKEN_PREFIX + randomText();
    }

    String refreshToken() {
        return REFRESH_TOKEN_PREFIX + randomText();
    }

    /** Not unique by itself: the caller retries on a collision. */
    String realmId() {
        return REALM_ID_PREFIX + String.format("%012d", random.nextLong(REALM_ID_SUFFIX_BOUND));
    }

    private String randomText() {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return encoder.encodeToString(bytes);
    }
}
