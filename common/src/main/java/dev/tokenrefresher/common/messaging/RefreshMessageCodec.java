package dev.tokenrefresher.common.messaging;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON for {@link RefreshMessage}: {@code {"connectionId":"...","fence":3,"dueAt":"2026-...Z","attempt":0}}.
 *
 * <p>Decoding is strict: every field present and of its type, nothing else, and a bounded size, so that a poison
 * message is rejected with a reason instead of half-processed.
 */
public class RefreshMessageCodec {

    public static final int MAX_BODY_BYTES = 1024;
    public static final String CONTENT_TYPE = "application/json";
    private static final Set<String> FIELDS = Set.of("connectionId", "fence", "dueAt", "attempt");

    private final ObjectMapper json;

    public RefreshMessageCodec(ObjectMapper json) {
        this.json = json;
    }

    public byte[] encode(RefreshMessage message) {
        ObjectNode node = json.createObjectNode()
                .put("connectionId", message.connectionId().toString())
                .put("fence", message.fence())
                .put("dueAt", message.dueAt().toString())
                .put("attempt", message.attempt());
        return json.writeValueAsBytes(node);
    }

    public RefreshMessage decode(byte[] body, String messageId) {
        if (body == null || body.length == 0) {
            throw new MalformedMessageException(messageId, "empty body");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new MalformedMessageException(messageId, "body of " + body.length + " bytes exceeds "
                    + MAX_BODY_BYTES);
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedMessageException(messageId, "body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedMessageException(messageId, "body is not a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new MalformedMessageException(messageId, "unknown field '" + abbreviate(name) + "'");
            }
        }
        UUID connectionId;
        try {
            connectionId = UUID.fromString(requireText(root, "connectionId", messageId));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(messageId, "connectionId is not a UUID");
        }
        long fence = requireLong(root, "fence", messageId);
        int attempt = Math.toIntExact(requireLong(root, "attempt", messageId));
        Instant dueAt;
        try {
            dueAt = Instant.parse(requireText(root, "dueAt", messageId));
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException(messageId, "dueAt is not an ISO-8601 instant");
        }
        if (fence < 0 || attempt < 0) {
            throw new MalformedMessageException(messageId, "fence and attempt must not be negative");
        }
        return new RefreshMessage(connectionId, fence, dueAt, attempt);
    }

    private static String requireText(JsonNode root, String field, String messageId) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedMessageException(messageId, field + " is missing");
        }
        if (!node.isString()) {
            throw new MalformedMessageException(messageId, field + " must be a string");
        }
        return node.asString();
    }

    private static long requireLong(JsonNode root, String field, String messageId) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedMessageException(messageId, field + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()
                || (field.equals("attempt") && !node.canConvertToInt())) {
            throw new MalformedMessageException(messageId, field + " must be an integer");
        }
        return node.asLong();
    }

    private static String abbreviate(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9_]", "?");
        return plain.length() <= 32 ? plain : plain.substring(0, 32) + "...";
    }
}
