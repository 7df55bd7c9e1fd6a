package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

/**
 * A connection as operators and host apps may see it: state and times, never a token or the realm id.
 *
 * @param nextRefreshAt when the next refresh is due; {@code null} when no refresh is scheduled (not ACTIVE, or parked
 *            after a dead letter until a replay)
 */
public record ConnectionView(
        UUID id,
        String tenantId,
        String provider,
        ConnectionStatus status,
        Instant accessExpiresAt,
        Instant refreshExpiresAt,
        Instant nextRefreshAt,
        long refreshFence,
        int consecutiveFailures,
        String lastError,
        Instant lastRefreshedAt,
        Instant createdAt,
        Instant updatedAt) {
}
