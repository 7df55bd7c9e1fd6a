package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A worker's exclusive right, until {@code leaseUntil}, to refresh one connection with the refresh token it read.
 *
 * <p>The refresh token's ciphertext is kept so that the store can check, in the same statement, that nobody stored a
 * newer token meanwhile.
 *
 * @param leaseUntil when the lease ends by the database's clock; for logs, never to compare with an app's clock
 * @param lease how long the lease lasts from the start of the claim's statement, by the database's clock: an app that
 *            read its own clock before asking for the claim knows the lease lasts at least until then plus this,
 *            whatever its clock's skew
 * @param firstFailureAt when the current run of failures began; {@code null} after a success
 * @param answerLostAt when a request with this refresh token lost its answer (the provider may have rotated it);
 *            {@code null} if none did
 * @param refreshHardExpiresAt the refresh token's absolute cap (Intuit's 5 years); {@code null} when unknown
 */
public record Claim(
        UUID connectionId,
        String tenantId,
        String provider,
        long fence,
        String worker,
        Instant leaseUntil,
        Duration lease,
        String refreshToken,
        byte[] refreshTokenCiphertext,
        Instant accessExpiresAt,
        Instant refreshExpiresAt,
        int consecutiveFailures,
        Instant firstFailureAt,
        Instant answerLostAt,
        Instant refreshHardExpiresAt) {

    /** A claim of a connection without a known hard cap. */
    public Claim(UUID connectionId, String tenantId, String provider, long fence, String worker, Instant leaseUntil,
            Duration lease, String refreshToken, byte[] refreshTokenCiphertext, Instant accessExpiresAt,
            Instant refreshExpiresAt, int consecutiveFailures, Instant firstFailureAt, Instant answerLostAt) {
        this(connectionId, tenantId, provider, fence, worker, leaseUntil, lease, refreshToken, refreshTokenCiphertext,
                accessExpiresAt, refreshExpiresAt, consecutiveFailures, firstFailureAt, answerLostAt, null);
    }

    /** Whether the refresh token passed its hard cap at {@code now}: no refresh can help, the tenant must reconnect. */
    public boolean hardExpiredAt(Instant now) {
        return refreshHardExpiresAt != null && !now.isBefore(refreshHardExpiresAt);
    }

    /** When the current run of failures began: the row's, or {@code now} for a failure that starts one. */
    public Instant firstFailureOr(Instant now) {
        return firstFailureAt != null ? firstFailureAt : now;
    }

    @Override
    public String toString() {
        return "Claim[connectionId=" + connectionId + ", provider=" + provider + ", fence=" + fence + ", worker="
                + worker + ", leaseUntil=" + leaseUntil + ", lease=" + lease + "]";
    }
}
