package dev.tokenrefresher.common.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * Something host apps may want to react to, published on {@code {prefix}.events} (a topic exchange) with the routing
 * key {@code connection.<type>.<provider>}. No token, no realm id. The schema is documented in {@code docs/events.md}.
 *
 * @param type {@value #REFRESHED}, {@value #RECOVERED}, {@value #REAUTH_REQUIRED} or {@value #DEAD_LETTERED}
 * @param reason why, for failures (an OAuth2 error code or a dead-letter reason); {@code null} otherwise
 * @param accessExpiresAt the new access token's expiry, for {@value #REFRESHED} and {@value #RECOVERED}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionEvent(String type, UUID connectionId, String tenantId, String provider, String reason,
        Instant accessExpiresAt, Instant occurredAt) {

    /** A refresh stored new tokens. */
    public static final String REFRESHED = "refreshed";
    /** The first successful refresh after one or more failures; published besides {@value #REFRESHED}. */
    public static final String RECOVERED = "recovered";
    /** The refresh token is dead: the tenant must reconnect. */
    public static final String REAUTH_REQUIRED = "reauth_required";
    /** A refresh of this connection went to the dead-letter queue; an operator may replay it. */
    public static final String DEAD_LETTERED = "dead_lettered";

    public static ConnectionEvent refreshed(String type, UUID connectionId, String tenantId, String provider,
            Instant accessExpiresAt, Instant now) {
        return new ConnectionEvent(type, connectionId, tenantId, provider, null, accessExpiresAt, now);
    }

    public static ConnectionEvent failure(String type, UUID connectionId, String tenantId, String provider,
            String reason, Instant now) {
        return new ConnectionEvent(type, connectionId, tenantId, provider, reason, null, now);
    }

    public String routingKey() {
        return "connection." + type + "." + provider;
    }
}
