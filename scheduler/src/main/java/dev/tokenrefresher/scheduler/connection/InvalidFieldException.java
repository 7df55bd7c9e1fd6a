package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;

/** A registration request is well-formed but cannot be accepted; names the field at fault. */
public class InvalidRegistrationException extends RefresherException {

    private final String field;
    private final String problem;

    InvalidRegistrationException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    /** What is wrong with the field, without its name. */
    public String problem() {
        return problem;
    }
}
