package dev.tokenrefresher.common.provider;

import java.time.Duration;
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
     * The grant a token response holds, or empty with {@code problem} filled when it is not a usable grant.
     *
     * @param defaultAccessTokenLifetime what to assume when the response has no {@code expires_in}
     */
    public static ParsedGrant parseGrant(JsonNode root, Duration defaultAccessTokenLifetime) {
        if (root == null || !root.isObject()) {
            return ParsedGrant.malformed("the body is not a JSON object");
        }
        String accessToken = text(root, "access_token");
        if (accessToken == null) {
            return ParsedGrant.malformed("access_token is missing or empty");
        }
        Optional<Long> expiresIn;
        try {
            expiresIn = seconds(root, "expires_in");
        } catch (NumberFormatException e) {
            return ParsedGrant.malformed("expires_in is not a number");
        }
        if (expiresIn.isPresent() && expiresIn.get() <= 0) {
            return ParsedGrant.malformed("expires_in is not positive");
        }
        Duration refreshLifetime = null;
        Duration hardLifetime;
        try {
            for (String field : REFRESH_LIFETIME_FIELDS) {
                Optional<Long> value = seconds(root, field);
                if (value.isPresent()) {
                    refreshLifetime = value.get() > 0 ? Duration.ofSeconds(value.get()) : null;
                    break;
                }
            }
            hardLifetime = seconds(root, HARD_LIFETIME_FIELD).filter(s -> s > 0).map(Duration::ofSeconds)
                    .orElse(null);
        } catch (NumberFormatException e) {
            return ParsedGrant.malformed("a refresh-token lifetime is not a number");
        }
        return new ParsedGrant(new TokenGrant(accessToken, text(root, "refresh_token"),
                expiresIn.map(Duration::ofSeconds).orElse(defaultAccessTokenLifetime), refreshLifetime, hardLifetime),
                null);
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

    private static Optional<Long> seconds(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isIntegralNumber()) {
            return Optional.of(node.asLong());
        }
        if (node.isString()) {
            return Optional.of(Long.parseLong(node.asString().trim()));
        }
        throw new NumberFormatException(field);
    }

    /** @param problem what makes the response unusable, naming the field; never quotes a value */
    public record ParsedGrant(TokenGrant grant, String problem) {
        static ParsedGrant malformed(String problem) {
            return new ParsedGrant(null, problem);
        }
    }
}
