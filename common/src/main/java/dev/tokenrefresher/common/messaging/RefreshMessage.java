package dev.tokenrefresher.common.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The one message contract: "refresh this connection at {@code dueAt}, if {@code fence} is still its fence".
 *
 * <p>It carries no token and no tenant data: a message that leaks tells nothing but an id.
 *
 * @param attempt 0 for a scheduled refresh, n for the n-th delayed retry after transient failures
 */
public record RefreshMessage(UUID connectionId, long fence, Instant dueAt, int attempt) {

    /** This message due {@code by} earlier; itself for no change. */
    public RefreshMessage dueEarlier(Duration by) {
        return by.isZero() ? this : new RefreshMessage(connectionId, fence, dueAt.minus(by), attempt);
    }

    /** The AMQP message id: equal for duplicates of one publish, different for every new publish. */
    public String messageId() {
        return connectionId + ":" + fence + ":" + attempt;
    }
}
