package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

/**
 * The outcome of registering a connection.
 *
 * @param created {@code false} when an existing connection of the same tenant and provider got the new tokens
 *            (a reconnect)
 */
public record Registered(UUID id, long fence, Instant nextRefreshAt, boolean created) {
}
