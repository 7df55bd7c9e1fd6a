package dev.tokenrefresher.cli;

import tools.jackson.databind.JsonNode;

/** A failure to report to the operator in one or a few lines, with the exit code that says what kind it was. */
final class CliException extends RuntimeException {

    /** The API answered with an error (4xx, 5xx). */
    static final int API_ERROR = 1;
    /** The scheduler could not be reached. */
    static final int UNREACHABLE = 3;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** "404: connection ... does not exist", with one line per bad field of a 400. */
    static CliException fromProblem(int status, JsonNode problem) {
        StringBuilder message = new StringBuilder("HTTP ").append(status);
        String detail = problem.path("detail").asString(problem.isString() ? problem.asString() : "");
        if (!detail.isBlank()) {
            message.append(": ").append(detail);
        }
        for (JsonNode error : problem.path("errors")) {
            message.append(System.lineSeparator()).append("  ").append(error.path("field").asString()).append(": ")
                    .append(error.path("message").asString());
        }
        return new CliException(API_ERROR, message.toString());
    }
}
