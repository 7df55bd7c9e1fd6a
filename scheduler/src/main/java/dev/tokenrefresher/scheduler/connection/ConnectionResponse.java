package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionView;
import java.time.Instant;
import java.util.UUID;

/** A connection as the API shows it: state and times, never a token. */
public record ConnectionResponse(
        UUID id,
        String tenantId,
        String provider,
        ConnectionStatus status,
        Instant accessExpiresAt,
        Instant refreshExpiresAt,
        Instant nextRefreshAt,
        int consecutiveFailures,
        String lastError,
        Instant lastRefreshedAt,
        Instant createdAt,
        Instant updatedAt) {

    static ConnectionResponse of(ConnectionView view) {
        return new ConnectionResponse(view.id(), view.tenantId(), view.provider(), view.status(),
                view.accessExpiresAt(), view.refreshExpiresAt(), view.nextRefreshAt(), view.consecutiveFailures(),
                view.lastError(), view.lastRefreshedAt(), view.createdAt(), view.updatedAt());
    }
}
