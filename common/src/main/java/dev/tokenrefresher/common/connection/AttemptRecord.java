package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;

/** What a worker writes about one provider call, in the same statement as its effect on the connection. */
public record AttemptRecord(
        Instant attemptedAt,
        AttemptOutcome outcome,
        Integer httpStatus,
        String errorCode,
        Duration duration,
        String worker) {
}
