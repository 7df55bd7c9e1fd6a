package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;

/** A request is well-formed but one of its fields cannot be accepted; names the field at fault. */
public class InvalidFieldException extends RefresherException {

    private final String field;
    private final String problem;

    public InvalidFieldException(String field, String problem) {
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
