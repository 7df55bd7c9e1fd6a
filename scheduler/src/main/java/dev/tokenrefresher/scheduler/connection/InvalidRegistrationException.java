package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;

/** A registration request is well-formed but cannot be accepted; names the field at fault. */
public class InvalidRegistrationException extends RefresherException {

    private final String field;

    InvalidRegistrationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
