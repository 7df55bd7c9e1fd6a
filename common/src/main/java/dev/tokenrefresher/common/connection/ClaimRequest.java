package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One claim of a batch: the single-flight lease on a connection for {@code worker}, from {@code now} for {@code lease},
 * if the message's {@code fence} is current; see {@link ConnectionStore#claimAll}.
 */
public record ClaimRequest(UUID connectionId, long fence, String worker, Instant now, Duration lease) {

    Instant leaseUntil() {
        return now.plus(lease);
    }
}
