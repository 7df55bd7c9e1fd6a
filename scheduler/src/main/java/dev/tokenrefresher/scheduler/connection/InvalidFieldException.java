package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;
import java.util.List;

/** A request is well-formed but some of its fields cannot be accepted; names every field at fault. */
public class InvalidFieldException extends RefresherException {

    /** One field and what is wrong with it, without its value (it might be a token). */
    public record FieldProblem(String field, String problem) {
    }

    private final List<FieldProblem> problems;

    public InvalidFieldException(String field, String problem) {
        this(List.of(new FieldProblem(field, problem)));
    }

    public InvalidFieldException(List<FieldProblem> problems) {
        super(String.join("; ", problems.stream().map(p -> p.field() + ": " + p.problem()).toList()));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid-field error names at least one field");
        }
        this.problems = List.copyOf(problems);
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}
