package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.RefresherException;

/**
 * The broker holds a queue or exchange of ours with other arguments than this version declares (RabbitMQ's
 * {@code PRECONDITION_FAILED}), typically left by an older version. Nothing can be consumed from such a queue, so the
 * app refuses to start instead of logging the refusal every few seconds.
 */
public class TopologyMismatchException extends RefresherException {

    private final String brokerReply;

    TopologyMismatchException(String brokerReply, Throwable cause) {
        super("RabbitMQ refused this version's topology: " + brokerReply + ". An entity of that name exists with "
                + "other arguments, usually from an earlier version; see docs/operations.md, \"Upgrading\"", cause);
        this.brokerReply = brokerReply;
    }

    /** The broker's reply text, which names the entity and the argument that differs. */
    public String brokerReply() {
        return brokerReply;
    }
}
