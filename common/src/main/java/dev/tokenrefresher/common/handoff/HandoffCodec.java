package dev.tokenrefresher.common.handoff;

import static dev.tokenrefresher.common.connection.ConnectionStore.ACCESS_TOKEN;
import static dev.tokenrefresher.common.connection.ConnectionStore.REFRESH_TOKEN;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON for a refresh handed off to RabbitMQ: everything its store needs, with the new tokens encrypted by the token
 * cipher under a binding of their own ({@code issued/<connection>/<column>}), so that neither a message nor a copy of it
 * ever holds a token in clear, and a ciphertext cannot be moved to another connection. The consumed refresh token
 * travels as the row's ciphertext of it: the store's guard compares it with the row, byte for byte.
 */
final class HandoffCodec {

    static final String CONTENT_TYPE = "application/json";
    /** The format's version; a drain refuses (parks) a message of another. */
    static final int VERSION = 1;
    private static final String TABLE = "issued";

    private final ObjectMapper json;
    private final TokenCipher cipher;

    HandoffCodec(ObjectMapper json, TokenCipher cipher) {
        this.json = json;
        this.cipher = cipher;
    }

    byte[] encode(RefreshToStore refresh) {
        Claim claim = refresh.claim();
        RefreshedTokens tokens = refresh.tokens();
        UUID id = claim.connectionId();
        AttemptRecord attempt = refresh.attempt();
        ObjectNode node = json.createObjectNode()
                .put("v", VERSION)
                .put("connectionId", id.toString())
                .put("tenantId", claim.tenantId())
                .put("provider", claim.provider())
                .put("claimFence", claim.fence())
                .put("claimWorker", claim.worker())
                .put("consumed", base64(claim.refreshTokenCiphertext()))
                .put("accessToken", tokens.accessToken() == null
                        ? null
                        : base64(cipher.encrypt(tokens.accessToken(), binding(id, ACCESS_TOKEN))))
                .put("refreshToken", tokens.refreshToken() == null
                        ? null
                        : base64(cipher.encrypt(tokens.refreshToken(), binding(id, REFRESH_TOKEN))))
                .put("accessExpiresAt", text(tokens.accessExpiresAt()))
                .put("accessLifetimeSeconds", tokens.accessLifetime() == null
                        ? null
                        : tokens.accessLifetime()
                                .toSeconds())
                .put("refreshExpiresAt", text(tokens.refreshExpiresAt()))
                // absent in hand-offs written before issue 22: read as "not said", which keeps the stored cap
                .put("refreshHardExpiresAt", text(tokens.refreshHardExpiresAt()))
                .put("nextRefreshAt", text(refresh.nextRefreshAt()))
                .put("now", text(refresh.now()))
                .put("attemptedAt", text(attempt.attemptedAt()))
                .put("outcome", attempt.outcome().name())
                .put("httpStatus", attempt.httpStatus())
                .put("errorCode", attempt.errorCode())
                .put("durationMs", attempt.duration() == null ? null : attempt.duration().toMillis())
                .put("worker", attempt.worker());
        return json.writeValueAsBytes(node);
    }

    /**
     * @throws MalformedHandoffException when the body is not a hand-off this version wrote, or its tokens do not
     *             decrypt for its connection
     */
    RefreshToStore decode(byte[] body, String messageId) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject() || node.path("v").asInt(-1) != VERSION) {
                throw new MalformedHandoffException(messageId, "not a version-" + VERSION + " hand-off");
            }
            UUID id = UUID.fromString(required(node, "connectionId", messageId));
            // only what the store and the events read: the lease is over, the consumed token's clear text not needed
            Claim claim = new Claim(id, required(node, "tenantId", messageId), required(node, "provider", messageId),
                    node.path("claimFence").asLong(), optional(node, "claimWorker"), null, null, null,
                    Base64.getDecoder().decode(required(node, "consumed", messageId)), null, null, 0, null, null);
            String access = optional(node, "accessToken");
            String refresh = optional(node, "refreshToken");
            Long lifetime = node.path("accessLifetimeSeconds").isNumber()
                    ? node.path("accessLifetimeSeconds").asLong()
                    : null;
            RefreshedTokens tokens = new RefreshedTokens(
                    access == null
                            ? null
                            : cipher.decrypt(Base64.getDecoder().decode(access), binding(id,
                                    ACCESS_TOKEN)),
                    refresh == null
                            ? null
                            : cipher.decrypt(Base64.getDecoder().decode(refresh), binding(id,
                                    REFRESH_TOKEN)),
                    instant(node, "accessExpiresAt"), lifetime == null ? null : Duration.ofSeconds(lifetime),
                    instant(node, "refreshExpiresAt"), instant(node, "refreshHardExpiresAt"));
            Long durationMs = node.path("durationMs").isNumber() ? node.path("durationMs").asLong() : null;
            AttemptRecord attempt = new AttemptRecord(instant(node, "attemptedAt"), AttemptOutcome.valueOf(required(
                    node, "outcome", messageId)), node.path("httpStatus").isNumber()
                            ? node.path("httpStatus").asInt()
                            : null,
                    optional(node, "errorCode"), durationMs == null ? null : Duration.ofMillis(durationMs),
                    optional(node, "worker"));
            return new RefreshToStore(claim, tokens, instant(node, "nextRefreshAt"), instant(node, "now"), attempt);
        } catch (MalformedHandoffException e) {
            throw e;
        } catch (RuntimeException e) {
            // the message names the failure's type only: a parser's message may quote the body
            throw new MalformedHandoffException(messageId, "unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static CipherBinding binding(UUID connectionId, String column) {
        return new CipherBinding(TABLE, connectionId, column);
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = optional(node, field);
        return text == null ? null : Instant.parse(text);
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static String required(JsonNode node, String field, String messageId) {
        String value = optional(node, field);
        if (value == null) {
            throw new MalformedHandoffException(messageId, "no " + field);
        }
        return value;
    }
}
