package dev.tokenrefresher.common.handoff;

import java.sql.SQLException;

/**
 * Names a store the database refused, for log lines, {@code last_error} and dead letters, by its exception class and
 * SQLState only: the exception's message may hold the statement and the value it refused, and a refused row holds
 * tokens. Also used by the scheduler's dead-letter archive for the rows it cannot store.
 */
public final class StoreFailures {

    private StoreFailures() {
    }

    /** e.g. {@code DataIntegrityViolationException, SQLState 22008}. */
    public static String describe(Throwable failure) {
        String sqlState = sqlState(failure);
        return failure.getClass().getSimpleName() + (sqlState == null ? "" : ", SQLState " + sqlState);
    }

    /** The SQLState where the driver gave one, else the exception's class: e.g. {@code 22008}. */
    public static String code(Throwable failure) {
        String sqlState = sqlState(failure);
        return sqlState != null ? sqlState : failure.getClass().getSimpleName();
    }

    /** The SQLState of the failure or its first cause that has one; {@code null} when none does. */
    public static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
