package dev.tokenrefresher.common.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * Something host apps may want to react to, published on {@code {prefix}.events} (a topic exchange) with the routing
 * key {@code connection.<type>.<provider>}. No token, no realm id. The schema is documented in {@code docs/events.md}.
 *
 * @param type {@value #REFRESHED}, {@value #RECOVERED}, {@value #REAUTH_REQUIRED}, {@value #DEAD_LETTERED} or
 *            {@value #REAUTH_DUE}
 * @param reason why, for failures (an OAuth2 error code or a dead-letter reason) and {@value #REAUTH_DUE}
 *            ({@code hard_expiry} or {@code refresh_token_expiry}: which of the two ends the chain first); {@code null}
 *            otherwise
 * @param accessExpiresAt the new access token's expiry, for {@value #REFRESHED} and {@value #RECOVERED}
 * @param reauthDueAt when the refresh token dies unless the tenant reconnects, for {@value #REAUTH_DUE}
 * @param daysAhead the warning's threshold in days (30, 7, 1 by default), for {@value #REAUTH_DUE}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionEvent(String type, UUID connectionId, String tenantId, String provider, String reason,
        Instant accessExpiresAt, Instant occurredAt, Instant reauthDueAt, Integer daysAhead) {

    /** A refresh stored new tokens. */
    public static final String REFRESHED = "refreshed";
    /** The first successful refresh after one or more failures; published besides {@value #REFRESHED}. */
    public static final String RECOVERED = "recovered";
    /** The refresh token is dead: the tenant must reconnect. */
    public static final String REAUTH_REQUIRED = "reauth_required";
    /** A refresh of this connection went to the dead-letter queue; an operator may replay it. */
    public static final String DEAD_LETTERED = "dead_lettered";
    /** The refresh token dies within {@code daysAhead} days: ask the tenant to reconnect before it does. */
    public static final String REAUTH_DUE = "reauth_due";

    public static ConnectionEvent refreshed(String type, UUID connectionId, String tenantId, String provider,
            Instant accessExpiresAt, Instant now) {
        return new ConnectionEvent(type, connectionId, tenantId, provider, null, accessExpiresAt, now, null, null);
    }

    public static ConnectionEvent failure(String type, UUID connectionId, String tenantId, String provider,
            String reason, Instant now) {
        return new ConnectionEvent(type, connectionId, tenantId, provider, reason, null, now, null, null);
    }

    /** A warning ahead of the refresh token's death: the tenant should reconnect before {@code reauthDueAt}. */
    public static ConnectionEvent reauthDue(UUID connectionId, String tenantId, String provider, String reason,
            Instant reauthDueAt, int daysAhead, Instant now) {
        return new ConnectionEvent(REAUTH_DUE, connectionId, tenantId, provider, reason, null, now, reauthDueAt,
                daysAhead);
    }

    public String routingKey() {
        return "connection." + type + "." + provider;
    }
}
