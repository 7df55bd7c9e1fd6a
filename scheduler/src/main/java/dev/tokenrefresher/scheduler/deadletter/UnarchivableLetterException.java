package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.RefresherException;

/**
 * A letter the database refused could not be moved to the unarchived queue either (the broker did not confirm it): it
 * goes back to the dead-letter queue and is tried again; after the queue's delivery limit the broker moves it aside.
 */
public class UnarchivableLetterException extends RefresherException {

    private final String messageId;

    UnarchivableLetterException(String messageId, String why, Throwable cause) {
        super("dead letter " + messageId + " could not be archived nor moved to the unarchived queue: " + why, cause);
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }
}
