package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.RefresherException;

/** A message on the hand-off queue that is not issued tokens this version can apply; it is parked, never applied. */
public class MalformedHandoffException extends RefresherException {

    private final String messageId;

    MalformedHandoffException(String messageId, String reason) {
        super("hand-off message " + messageId + " cannot be applied: " + reason);
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }
}
