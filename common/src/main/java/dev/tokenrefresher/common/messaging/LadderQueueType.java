package dev.tokenrefresher.common.messaging;

/**
 * The queue type of the delay ladder's levels ({@code refresher.messaging.ladder-queue-type}).
 *
 * <p>The ladder holds one message per connection, so at a million connections it holds a million messages, and in
 * steady state every message passes through several levels (one hop per set bit of its delay).
 */
public enum LadderQueueType {

    /**
     * Replicated Raft queues with at-least-once dead-lettering between the levels: a message survives the loss of a
     * node and is never dropped on its way down the ladder. The safe choice for a cluster, and the default.
     */
    QUORUM,

    /**
     * Durable classic queues holding persistent messages: cheaper for the broker per message on one node, but not
     * replicated, and dead-lettering between levels is at-most-once (a broker crash in the middle of a hop can drop a
     * message; the scheduler's reconciliation sweep re-enqueues its connection after the grace period).
     */
    CLASSIC
}
