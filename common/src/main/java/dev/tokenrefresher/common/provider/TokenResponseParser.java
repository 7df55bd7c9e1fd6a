package dev.tokenrefresher.common.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads token endpoint answers; tolerant of what real providers send (numbers as strings), strict about nulls. The
 * refresh path and the registration API read them alike, so that a token response handed over at registration means
 * what it would mean after a refresh.
 */
public final class TokenResponseParser {

    /** Where providers put the refresh token's lifetime: Intuit, then the common non-standard spellings. */
    static final List<String> REFRESH_LIFETIME_FIELDS = List.of("x_refresh_token_expires_in",
            "refresh_token_expires_in", "refresh_expires_in");
    static final String HARD_LIFETIME_FIELD = "x_refresh_token_hard_expires_in";
    /** What an access token is assumed to live when the answer's {@code expires_in} is unusable: refresh soon. */
    public static final Duration SAFE_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(5);
    /** Ten years: a lifetime beyond is a unit mistake or garbage, and must not reach a SQL statement. */
    static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;

    private final ObjectMapper json;

    TokenResponseParser(ObjectMapper json) {
        this.json = json;
    }

    /** A successful answer's grant, or empty with {@code problem} filled when the body is not a usable grant. */
    ParsedGrant parseGrant(byte[] body, Duration defaultAccessTokenLifetime) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            return ParsedGrant.malformed("the body is not JSON");
        }
        return parseGrant(root, defaultAccessTokenLifetime);
    }

    /**
     * The grant a token response holds, or empty with {@code problem} filled when it holds no token at all.
     *
     * <p>A refresh token in the answer is never thrown away because another field is odd: by the time the answer
     * arrives the provider has spent the old one. Odd fields get safe defaults and are named in
     * {@link TokenGrant#oddities()}: an access token missing means "keep the stored one, refresh again soon"; an
     * {@code expires_in} that is not a whole number of seconds between 1 and ten years means a short lifetime
     * ({@link #SAFE_ACCESS_TOKEN_LIFETIME}, or the provider's default if shorter); an unusable refresh-token lifetime
     * means the stored expiry is kept. A whole number written as a decimal ({@code 3600.0}) is read as that number.
     *
     * @param defaultAccessTokenLifetime what to assume when the response has no {@code expires_in}
     */
    public static ParsedGrant parseGrant(JsonNode root, Duration defaultAccessTokenLifetime) {
        if (root == null || !root.isObject()) {
            return ParsedGrant.malformed("the body is not a JSON object");
        }
        String accessToken = text(root, "access_token");
        String refreshToken = text(root, "refresh_token");
        if (accessToken == null && refreshToken == null) {
            return ParsedGrant.malformed("access_token is missing or empty");
        }
        List<String> oddities = new ArrayList<>();
        if (accessToken == null) {
            oddities.add("access_token");
        }
        Duration safe = defaultAccessTokenLifetime.compareTo(SAFE_ACCESS_TOKEN_LIFETIME) < 0
                ? defaultAccessTokenLifetime
                : SAFE_ACCESS_TOKEN_LIFETIME;
        Duration accessLifetime = lifetime(root, "expires_in", oddities).map(Duration::ofSeconds)
                .orElse(oddities.contains("expires_in") ? safe : defaultAccessTokenLifetime);
        if (accessLifetime.isZero()) {
            oddities.add("expires_in");
            accessLifetime = safe;
        }
        Duration refreshLifetime = null;
        for (String field : REFRESH_LIFETIME_FIELDS) {
            if (root.hasNonNull(field)) {
                refreshLifetime = lifetime(root, field, oddities).filter(seconds -> seconds > 0).map(
                        Duration::ofSeconds).orElse(null);
                break;
            }
        }
        Duration hardLifetime = lifetime(root, HARD_LIFETIME_FIELD, oddities).filter(seconds -> seconds > 0).map(
                Duration::ofSeconds).orElse(null);
        return new ParsedGrant(new TokenGrant(accessToken, refreshToken, accessLifetime, refreshLifetime,
                hardLifetime, oddities), null);
    }

    /**
     * A lifetime field in whole seconds, 0 to ten years: absent, {@code null} and odd values are empty, and an odd one
     * (text that is not a number, a fraction, a negative or absurd number, an object) is named in {@code oddities}.
     */
    private static Optional<Long> lifetime(JsonNode root, String field, List<String> oddities) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Long seconds = null;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            seconds = node.asLong();
        } else if (node.isFloatingPointNumber() && node.asDouble() == Math.rint(node.asDouble())
                && Math.abs(node.asDouble()) <= MAX_LIFETIME_SECONDS) {
            seconds = (long) node.asDouble();
        } else if (node.isString() && node.asString().trim().matches("\\d{1,12}")) {
            seconds = Long.parseLong(node.asString().trim());
        }
        if (seconds == null || seconds < 0 || seconds > MAX_LIFETIME_SECONDS) {
            oddities.add(field);
            return Optional.empty();
        }
        return Optional.of(seconds);
    }

    /** The OAuth2 {@code error} of an error answer, if the body has one. */
    Optional<String> errorCode(byte[] body) {
        try {
            JsonNode root = json.readTree(body);
            return root != null && root.isObject() ? Optional.ofNullable(text(root, "error")) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull() || !node.isValueNode()) {
            return null;
        }
        String value = node.asString();
        return value.isBlank() ? null : value;
    }

    /** @param problem what makes the response unusable, naming the field; never quotes a value */
    public record ParsedGrant(TokenGrant grant, String problem) {
        static ParsedGrant malformed(String problem) {
            return new ParsedGrant(null, problem);
        }
    }
}
