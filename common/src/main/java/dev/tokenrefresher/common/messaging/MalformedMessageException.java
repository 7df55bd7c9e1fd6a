package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.RefresherException;

/** A message body is not a valid {@link RefreshMessage}; it goes to the dead-letter queue with this reason. */
public class MalformedMessageException extends RefresherException {

    private final String messageId;

    MalformedMessageException(String messageId, String reason) {
        super("message " + (messageId == null ? "(no id)" : messageId) + " is malformed: " + reason);
        this.messageId = messageId;
    }

    /** The AMQP message id, if the message had one. */
    public String messageId() {
        return messageId;
    }
}
