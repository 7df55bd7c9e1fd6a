package dev.tokenrefresher.common.messaging;

import java.time.Instant;
import java.util.UUID;

/**
 * Something host apps may want to react to, published on {@code {prefix}.events} with the routing key
 * {@code connection.<type>.<provider>}. No token, no realm id.
 *
 * @param type {@code refreshed}, {@code reauth_required}, ...
 * @param reason why, for failures (an OAuth2 error code); {@code null} otherwise
 */
public record ConnectionEvent(String type, UUID connectionId, String tenantId, String provider, String reason,
        Instant occurredAt) {

    public static final String REAUTH_REQUIRED = "reauth_required";

    public String routingKey() {
        return "connection." + type + "." + provider;
    }
}
