package dev.tokenrefresher.worker.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;

/**
 * Group commit for one kind of statement: each caller hands in its row and waits, on its virtual thread, until the
 * statement that carried it has run; one drainer thread runs a statement for every row that queued up while the
 * previous one ran, up to {@code maxRows}.
 *
 * <p>A quiet worker pays nothing for it (a lone row goes out at once, as one statement), and a busy one writes tens of
 * rows per statement and per commit, which is what PostgreSQL and the JDBC path cost per refresh otherwise.
 *
 * <p>A statement that failed because the database is down fails every caller it carried with its exception, and each
 * caller's own retry goes on from there. Any other failure may be one bad row (a value the database refuses): the rows
 * are then run again one per statement, so that only the bad row fails and the others, new refresh tokens among them,
 * are stored.
 *
 * <p>A row waits for the statement ahead of it at most {@code maxWait}: still queued then, it fails with a
 * {@link QueryTimeoutException} (transient: the caller's retry goes on from there) and is not written; already taken
 * into a statement, it waits for that statement's outcome, which is then running. So the time a row spends before its
 * statement starts is bounded, which the worker's lease must cover ({@link LeaseBudget}).
 *
 * @param <R> a row to write
 * @param <T> what the statement answers for that row
 */
final class GroupedStatement<R, T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupedStatement.class);

    private final String name;
    private final Function<List<R>, List<T>> statement;
    private final int maxRows;
    private final Predicate<Throwable> infrastructureFailure;
    /** {@code null}: a row waits as long as the statement ahead takes. */
    private final Duration maxWait;
    private final Runnable split;
    private final BlockingQueue<Pending<R, T>> queue = new LinkedBlockingQueue<>();
    /** Queued by {@link #close()}: the drainer stops when it reaches it. */
    private final Pending<R, T> stop = new Pending<>(null, null);
    private final Thread drainer;
    private volatile boolean closed;

    /**
     * @param statement runs the rows as one statement and answers one result per row, in their order
     * @param maxRows the most rows in one statement; 1 runs each row on the caller's thread, without grouping
     * @param infrastructureFailure whether a failure is the infrastructure's (fail every row) rather than possibly
     *            one row's (run them one by one)
     * @param maxWait how long a row waits for a statement to take it; {@code null} for as long as it takes
     * @param split told each time a failed statement's rows are run again one by one (a meter counts it)
     */
    GroupedStatement(String name, Function<List<R>, List<T>> statement, int maxRows,
            Predicate<Throwable> infrastructureFailure, Duration maxWait, Runnable split) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("the rows of one " + name + " statement must be at least 1, was "
                    + maxRows);
        }
        this.name = name;
        this.statement = statement;
        this.maxRows = maxRows;
        this.infrastructureFailure = infrastructureFailure;
        this.maxWait = maxWait;
        this.split = split;
        this.drainer = maxRows == 1 ? null : Thread.ofVirtual().name(name + "-statements").start(this::drain);
    }

    /** Writes one row: blocks until the statement carrying it has run, and throws what that statement threw. */
    T run(R row) {
        if (drainer == null) {
            return statement.apply(List.of(row)).getFirst();
        }
        Pending<R, T> pending = new Pending<>(row, new CompletableFuture<>());
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            throw new IllegalStateException("the " + name + " statements are closed: the worker is shutting down");
        }
        if (maxWait != null) {
            try {
                return pending.result().get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (queue.remove(pending)) {
                    throw new QueryTimeoutException("the row waited " + maxWait.toMillis() + " ms for the " + name
                            + " statement ahead of it; it was not written");
                }
                // a statement took it meanwhile and is running: its outcome is this row's
            } catch (ExecutionException e) {
                throw rethrown(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // as before: the caller's join below waits for the outcome, a statement cannot be called back
            }
        }
        try {
            return pending.result().join();
        } catch (CompletionException e) {
            throw rethrown(e.getCause());
        }
    }

    private static RuntimeException rethrown(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        return new CompletionException(failure);
    }

    /** Rows waiting for a statement (the one in flight to finish). */
    int queued() {
        return queue.size();
    }

    private void drain() {
        List<Pending<R, T>> batch = new ArrayList<>(maxRows);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            queue.drainTo(batch, maxRows - 1);
            stopping = batch.remove(stop);
            if (!batch.isEmpty()) {
                runStatement(batch);
            }
            batch.clear();
        }
    }

    private void runStatement(List<Pending<R, T>> batch) {
        List<T> results;
        try {
            results = statement.apply(batch.stream().map(Pending::row).toList());
        } catch (RuntimeException e) {
            if (batch.size() > 1 && !infrastructureFailure.test(e)) {
                log.warn("a {} statement of {} rows failed ({}); running its rows one by one", name, batch.size(), e
                        .getClass().getSimpleName());
                split.run();
                batch.forEach(this::runAlone);
                return;
            }
            // every caller gets the failure and decides for itself (retry, requeue); the drainer carries on
            batch.forEach(pending -> pending.result().completeExceptionally(e));
            return;
        } catch (Error e) {
            batch.forEach(pending -> pending.result().completeExceptionally(e));
            log.error("a {} statement of {} rows failed", name, batch.size(), e);
            return;
        }
        if (results.size() != batch.size()) {
            // a broken statement must not take the drainer down: every later caller would wait forever
            IllegalStateException mismatch = new IllegalStateException("a " + name + " statement answered "
                    + results.size() + " results for " + batch.size() + " rows");
            batch.forEach(pending -> pending.result().completeExceptionally(mismatch));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    /** One row in a statement of its own, after a grouped statement failed: its failure is its own. */
    private void runAlone(Pending<R, T> pending) {
        try {
            List<T> result = statement.apply(List.of(pending.row()));
            if (result.size() == 1) {
                pending.result().complete(result.getFirst());
            } else {
                pending.result().completeExceptionally(new IllegalStateException("a " + name + " statement answered "
                        + result.size() + " results for 1 row"));
            }
        } catch (RuntimeException | Error e) {
            pending.result().completeExceptionally(e);
        }
    }

    private void failQueued() {
        List<Pending<R, T>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(pending -> pending.result().completeExceptionally(new IllegalStateException("the " + name
                + " statements are closed: the worker is shutting down")));
    }

    /**
     * Stops the drainer after the rows queued so far have been written (it is not interrupted: an interrupt in the
     * middle of a statement would close its database connection); rows that come later fail.
     */
    @Override
    public void close() {
        closed = true;
        if (drainer != null) {
            queue.add(stop);
            try {
                drainer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failQueued();
        }
    }

    private record Pending<R, T>(R row, CompletableFuture<T> result) {
    }
}
