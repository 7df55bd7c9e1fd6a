package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A connection as operators and host apps may see it: state and times, never a token or the realm id.
 *
 * @param accessTokenLifetimeSeconds how long the current access token was issued for; {@code null} for a connection not
 *            refreshed since this was recorded
 * @param refreshExpiresAt when the refresh token expires: its rolling lifetime, capped by the hard one; {@code null}
 *            when the provider named neither
 * @param refreshHardExpiresAt the refresh token's absolute cap (Intuit's 5 years), which refreshes do not move;
 *            {@code null} when the provider did not report one. The tenant must reconnect before the earlier of the
 *            two
 * @param nextRefreshAt when the next refresh is due; {@code null} when no refresh is scheduled (not ACTIVE, or parked
 *            after a dead letter until a replay)
 */
public record ConnectionView(
        UUID id,
        String tenantId,
        String provider,
        ConnectionStatus status,
        Instant accessExpiresAt,
        Integer accessTokenLifetimeSeconds,
        Instant refreshExpiresAt,
        Instant refreshHardExpiresAt,
        Instant nextRefreshAt,
        long refreshFence,
        int consecutiveFailures,
        String lastError,
        Instant lastRefreshedAt,
        Instant createdAt,
        Instant updatedAt) {

    /** The current access token's lifetime as issued, if known. */
    public Optional<Duration> accessTokenLifetime() {
        return Optional.ofNullable(accessTokenLifetimeSeconds).map(Duration::ofSeconds);
    }
}
