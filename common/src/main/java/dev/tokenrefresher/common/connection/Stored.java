package dev.tokenrefresher.common.connection;

/**
 * A refresh's result, stored.
 *
 * @param fence the connection's new fence, for the next message
 * @param revived whether the connection had been marked REAUTH_REQUIRED on the refresh token this refresh consumed
 *            (another actor called with the same token after the provider had rotated it, and got
 *            {@code invalid_grant}) and is ACTIVE again: the chain was never broken, only believed to be
 */
public record Stored(long fence, boolean revived) {
}
