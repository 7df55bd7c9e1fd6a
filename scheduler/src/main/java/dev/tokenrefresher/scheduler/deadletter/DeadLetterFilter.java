package dev.tokenrefresher.scheduler.deadletter;

import java.time.Instant;
import java.util.UUID;

/**
 * Which dead letters an operation is about; {@code null} fields do not filter.
 *
 * @param since only dead letters received at or after this instant
 * @param includeReplayed whether dead letters replayed or resolved already are included; without them, the pending
 *            ones only
 */
public record DeadLetterFilter(String reason, String provider, UUID connectionId, Instant since,
        boolean includeReplayed) {

    public static DeadLetterFilter all() {
        return new DeadLetterFilter(null, null, null, null, true);
    }
}
