package dev.tokenrefresher.scheduler.deadletter;

import java.time.Instant;
import java.util.UUID;

/**
 * A dead letter as operators see it: why the refresh was given up, for which connection, and whether it was replayed.
 * The body is not part of it; it holds no token, but it is the raw input and is shown only on request.
 *
 * @param resolvedAt when a letter that ended a chain stopped describing its connection (it is ACTIVE again: revived
 *            by a late store of the tokens the provider had rotated for us, or reconnected); such a letter is not
 *            pending
 * @param truncated whether a field was longer than its column as it arrived (a message id, a detail, the body) and was
 *            cut to fit: what the letter shows is not all that arrived
 */
public record DeadLetterRecord(
        long id,
        String messageId,
        String reason,
        String errorCode,
        String detail,
        String provider,
        UUID connectionId,
        int attempts,
        Integer httpStatus,
        Instant firstFailureAt,
        Instant lastFailureAt,
        String worker,
        Instant receivedAt,
        Instant replayedAt,
        Instant resolvedAt,
        boolean truncated) {
}
