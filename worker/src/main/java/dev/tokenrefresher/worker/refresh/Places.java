package dev.tokenrefresher.worker.refresh;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A provider's places for refreshes in flight (its {@code concurrency}), which can be closed when the worker stops: a
 * delivery waiting for a place then gives up at once instead of being started, and the stop can wait until every place
 * is free again, that is until every refresh started before it has been handed to its settler.
 *
 * <p>Paused works like closed, for a while: the provider's circuit breaker opened, and its consumers stop in the same
 * order as a stopping worker's. A resume undoes a pause, never a close: a breaker that goes HALF_OPEN while the worker
 * stops must not start deliveries again.
 *
 * <p>A semaphore did this until the shutdown had to be ordered (issue 20 point 8): its waiters could not be told to
 * give up, and "all permits back" could not be waited for with a deadline.
 */
final class Places {

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int taken;
    private boolean closed;
    private boolean paused;

    Places(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a provider needs at least one place for refreshes, was " + size);
        }
        this.size = size;
    }

    /**
     * Takes a place, waiting for one to free up.
     *
     * @return false once {@link #close() closed} or while {@link #pause() paused}: the delivery must not be started
     */
    boolean take() throws InterruptedException {
        lock.lock();
        try {
            while (!refusing() && taken == size) {
                changed.await();
            }
            if (refusing()) {
                return false;
            }
            taken++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a taken place back. */
    void give() {
        lock.lock();
        try {
            if (taken == 0) {
                throw new IllegalStateException("a place was given back that was not taken");
            }
            taken--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No place is taken from now on; whoever waits for one gives up. Places taken stay taken until given back. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No place is taken until {@link #resume()}; whoever waits for one gives up, as on {@link #close()}. */
    void pause() {
        lock.lock();
        try {
            paused = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Places can be taken again, unless they were {@link #close() closed}. */
    void resume() {
        lock.lock();
        try {
            paused = false;
        } finally {
            lock.unlock();
        }
    }

    private boolean refusing() {
        return closed || paused;
    }

    /** Places taken right now: refreshes in flight. */
    int taken() {
        lock.lock();
        try {
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no place is taken, at most {@code within}.
     *
     * @return whether every place was free in time
     */
    boolean awaitAllFree(Duration within) throws InterruptedException {
        long left = Math.max(0, within.toNanos());
        lock.lock();
        try {
            while (taken > 0) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
