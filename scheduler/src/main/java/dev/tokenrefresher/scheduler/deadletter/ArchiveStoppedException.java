package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.RefresherException;

/**
 * The archive was stopped while it held a letter waiting for the database: the letter goes back to the queue (the one
 * delivery a stop costs) and is archived by the next scheduler that runs.
 */
public class ArchiveStoppedException extends RefresherException {

    private final String messageId;

    ArchiveStoppedException(String messageId) {
        super("dead-letter archive stopped while waiting for the database; letter " + messageId
                + " goes back to the queue");
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }
}
