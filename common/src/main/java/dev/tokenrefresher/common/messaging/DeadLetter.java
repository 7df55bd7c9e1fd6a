package dev.tokenrefresher.common.messaging;

import java.time.Instant;
import java.util.UUID;

/**
 * A refresh given up, with what an operator needs to decide about it.
 *
 * @param body the original message body (a {@link RefreshMessage}, or whatever malformed bytes arrived)
 * @param connectionId {@code null} when the message was too malformed to name one
 * @param httpStatus {@code null} when no provider answer was involved
 */
public record DeadLetter(
        byte[] body,
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
        String worker) {
}
