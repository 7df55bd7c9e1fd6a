package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.RefresherException;

/** No dead letter has this id (it may have been purged). */
public class DeadLetterNotFoundException extends RefresherException {

    private final long deadLetterId;

    DeadLetterNotFoundException(long deadLetterId) {
        super("dead letter " + deadLetterId + " does not exist");
        this.deadLetterId = deadLetterId;
    }

    public long deadLetterId() {
        return deadLetterId;
    }
}
