package dev.tokenrefresher.scheduler.periodic;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A scheduler's housekeeping job that runs on its own thread, first {@code firstRunAfter} after the start (or one
 * {@code interval}, if that is sooner) and then {@code interval} after each run ended. A stop interrupts the run under way (a job checks its thread's interrupt
 * between its statements) and waits up to {@link #STOP_WAIT} for it, so that no statement outlives the data source.
 *
 * <p>A run that throws is logged with its exception and the next comes at its time: left to the executor, an exception
 * would cancel every later run without a word. Jobs catch the failures they expect (PostgreSQL away) themselves and say
 * what they mean.
 */
public abstract class PeriodicJob implements SmartLifecycle {

    /** How long a stop waits for the run under way. */
    public static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(PeriodicJob.class);

    private final String name;
    private final boolean enabled;
    private final Duration firstRunAfter;
    private final Duration interval;
    private ScheduledExecutorService executor;

    /**
     * @param name the thread's name and the job's in log lines
     * @param enabled whether {@link #start()} schedules it at all (a job turned off by its property)
     */
    protected PeriodicJob(String name, boolean enabled, Duration firstRunAfter, Duration interval) {
        if (!interval.isPositive() || firstRunAfter.isNegative()) {
            throw new IllegalArgumentException("job " + name + " needs a positive interval and a first run not in "
                    + "the past, had " + interval + " and " + firstRunAfter);
        }
        this.name = name;
        this.enabled = enabled;
        this.firstRunAfter = firstRunAfter.compareTo(interval) <= 0 ? firstRunAfter : interval;
        this.interval = interval;
    }

    /** One run, on the job's thread. */
    protected abstract void runOnce();

    /** Logged at start when the job is turned off: say which property turned it off. */
    protected String disabledMessage() {
        return "job " + name + " is turned off on this scheduler";
    }

    private void runLogged() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.error("job {} failed; its next run is in {}", name, interval, e);
        }
    }

    @Override
    public final synchronized void start() {
        if (!enabled) {
            log.info(disabledMessage());
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon().factory());
        executor.scheduleWithFixedDelay(this::runLogged, firstRunAfter.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public final synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("job {} still running {} after the stop; left to finish its statement", name, STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    @Override
    public final synchronized boolean isRunning() {
        return executor != null;
    }
}
