package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.util.UUID;

/**
 * One claim of a batch: the single-flight lease on a connection for {@code worker}, if the message's {@code fence} is
 * current; see {@link ConnectionClaims#claimAll}. The lease starts at the database's time of the claim's statement:
 * no app clock takes part in single flight (DESIGN decision 11).
 *
 * <p>The lease lasts {@code lease}, but no longer than half the connection's access-token lifetime (a worker that dies
 * holding the claim must not leave the connection waiting past its token's expiry), and never shorter than
 * {@code leaseFloor}: the longest the claim can be busy between its statement and the store of its result, so that
 * nobody calls again with the same refresh token while a call may still be in flight or its answer unstored.
 */
public record ClaimRequest(UUID connectionId, long fence, String worker, Duration lease, Duration leaseFloor) {

    public ClaimRequest {
        if (leaseFloor.compareTo(lease) > 0) {
            throw new IllegalArgumentException("the lease (" + lease + ") must not be shorter than its floor ("
                    + leaseFloor + ")");
        }
    }

    /** A claim for exactly {@code lease}, whatever the token's lifetime. */
    public ClaimRequest(UUID connectionId, long fence, String worker, Duration lease) {
        this(connectionId, fence, worker, lease, lease);
    }
}
