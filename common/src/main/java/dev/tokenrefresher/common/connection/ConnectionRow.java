package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** The {@code connection} table as Spring Data JDBC reads it; ciphertexts stay inside this package. */
@Table("connection")
record ConnectionRow(
        @Id UUID id,
        String tenantId,
        String provider,
        byte[] realmIdEnc,
        ConnectionStatus status,
        byte[] accessTokenEnc,
        byte[] refreshTokenEnc,
        Instant accessExpiresAt,
        Integer accessLifetimeSeconds,
        Instant refreshExpiresAt,
        Instant refreshHardExpiresAt,
        Instant nextRefreshAt,
        long refreshFence,
        String leaseOwner,
        Instant leaseUntil,
        int consecutiveFailures,
        String lastError,
        Instant lastRefreshedAt,
        Instant createdAt,
        Instant updatedAt) {

    ConnectionView toView() {
        return new ConnectionView(id, tenantId, provider, status, accessExpiresAt, accessLifetimeSeconds,
                refreshExpiresAt, refreshHardExpiresAt, nextRefreshAt,
                refreshFence, consecutiveFailures, lastError, lastRefreshedAt, createdAt, updatedAt);
    }

    @Override
    public String toString() {
        // Ciphertexts are not secrets by themselves, but they have no business in logs either.
        return "ConnectionRow[id=" + id + ", provider=" + provider + ", status=" + status + ", fence=" + refreshFence
                + "]";
    }
}
