package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

/** A connection that got a new fence and due time and now needs its message published. */
public record Rescheduled(UUID connectionId, String provider, long fence, Instant dueAt) {
}
