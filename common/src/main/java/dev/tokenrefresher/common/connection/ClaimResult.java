package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;

/** The answer to a claim: the claim itself, or why the connection cannot be claimed now. */
public sealed interface ClaimResult {

    record Claimed(Claim claim) implements ClaimResult {
    }

    /**
     * The lease was taken, but the stored refresh token cannot be decrypted: its key is not configured, or the value or
     * its header was changed. No provider call can help; the holder parks the connection with reason
     * {@code undecryptable} ({@code dev.tokenrefresher.common.keys.UndecryptableConnections}). Only this connection is
     * affected: the other claims of the same statement are taken as usual.
     *
     * @param claim the lease, with {@code refreshToken} {@code null}
     * @param detail what the cipher said: the row, the column and why (e.g. the key id that is not configured); no
     *            secret
     */
    record Undecryptable(Claim claim, String detail) implements ClaimResult {
    }

    /** No connection has this id. */
    record NotFound() implements ClaimResult {
    }

    /** The message's fence is not the connection's: a duplicate, a replayed or a superseded message. */
    record StaleFence(long currentFence) implements ClaimResult {
    }

    /** The connection is not ACTIVE: nothing to refresh. */
    record NotActive(ConnectionStatus status) implements ClaimResult {
    }

    /**
     * Another actor holds the lease; the message should come back when it ends. Also a lease that ended without an
     * outcome, until a hand-off drain has run after it ended (its holder may have handed off tokens): remaining 0.
     *
     * @param leaseUntil when it ends by the database's clock; for logs
     * @param remaining how long it still lasts, by the database's clock, as the connection was read: what an app adds
     *            to its own clock to wait for it
     */
    record Leased(String owner, Instant leaseUntil, Duration remaining) implements ClaimResult {
    }

    /**
     * A call with the connection's refresh token timed out and the provider may still be serving it: nobody calls
     * again until the provider's quiet period after it has passed (issue 19, point 2). The message should come back
     * then; an on-demand caller waits for it or is told when to come back.
     *
     * @param quietUntil when it ends by the database's clock; for logs
     * @param remaining how long it still lasts, by the database's clock, as the connection was read
     */
    record Quiet(Instant quietUntil, Duration remaining) implements ClaimResult {
    }
}
