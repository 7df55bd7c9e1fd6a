package dev.tokenrefresher.common.database;

import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Which failures mean "PostgreSQL is unreachable or briefly unable to answer", as opposed to a statement that is wrong
 * and fails again however often it is retried. Retries of the infrastructure and the hand-off of issued tokens both
 * decide by this one list.
 */
public final class DatabaseOutage {

    /** The exception types, matched against a failure and its causes. */
    public static final List<Class<? extends Throwable>> TYPES = List.of(DataAccessResourceFailureException.class,
            TransientDataAccessException.class, RecoverableDataAccessException.class,
            // a transaction that could not even begin: no connection to be had
            CannotCreateTransactionException.class);

    private DatabaseOutage() {
    }

    /** Whether a failure, or one of its causes, is the database being unreachable or briefly unable to answer. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            for (Class<? extends Throwable> type : TYPES) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }
}
