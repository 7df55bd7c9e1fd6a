package dev.tokenrefresher.sandbox.demo;

import dev.tokenrefresher.sandbox.token.ConnectionMinter;
import dev.tokenrefresher.sandbox.token.MintedConnection;
import jakarta.annotation.PreDestroy;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The demo switch at work: once the sandbox has started, mints {@code sandbox.demo.connections} connections and
 * registers each with the scheduler, one after the other, on a virtual thread of its own so start-up is not held up.
 *
 * <p>
 * The first registration doubles as the probe for the scheduler: it is retried while the scheduler is unreachable or
 * answers 5xx, for up to {@code sandbox.demo.scheduler-wait}, because in docker compose the scheduler starts beside
 * the sandbox. After that a failed registration counts as failed and the next one goes ahead. A 4xx ends the run at
 * any point: the request is wrong, and every other one would be refused alike.
 *
 * <p>
 * Waiting and the elapsed time use {@link System#nanoTime()}, not the sandbox's {@link java.time.Clock}: a test may
 * freeze that clock, and the back-off must pass in real time all the same. Tokens' {@code obtainedAt} comes from the
 * clock, through the minter.
 */
@Component
class DemoSeeder {

    private static final Logger log = LoggerFactory.getLogger(DemoSeeder.class);

    static final int PROGRESS_EVERY = 50;
    // Minting in batches keeps obtainedAt close to the moment of registration without a log line per connection.
    static final int MINT_BATCH = 50;
    static final int MIN_TENANT_DIGITS = 4;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final DemoProperties properties;
    private final ConnectionMinter minter;
    private final AtomicReference<DemoStatus> status;
    private final String tenantIdFormat;
    private final AtomicReference<Thread> worker = new AtomicReference<>();

    DemoSeeder(DemoProperties properties, ConnectionMinter minter) {
        this.properties = properties;
        this.minter = minter;
        this.status = new AtomicReference<>(DemoStatus.initial(properties));
        int digits = Math.max(MIN_TENANT_DIGITS, String.valueOf(properties.connections()).length());
        this.tenantIdFormat = "%s%0" + digits + "d";
    }

    DemoStatus status() {
        return status.get();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startAfterStartUp() {
        if (!properties.enabled()) {
            return;
        }
        Thread thread = Thread.ofVirtual().name("sandbox-demo").unstarted(this::seed);
        if (worker.compareAndSet(null, thread)) {
            thread.start();
        }
    }

    /** Stops a run still under way when the sandbox shuts down, e.g. one still waiting for the scheduler. */
    @PreDestroy
    void stop() {
        Thread thread = worker.get();
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** One whole run, on the calling thread. */
    void seed() {
        long started = System.nanoTime();
        log.info("Registering {} demo connection(s) for provider {} at {}, tenants {} to {}", properties.connections(),
                properties.provider(), properties.registerUrl(), tenantId(1), tenantId(properties.connections()));
        try (HttpClient http = SchedulerClient.newHttpClient()) {
            SchedulerClient scheduler = new SchedulerClient(http, properties.registerUrl(), properties.headers());
            boolean finished = registerAll(scheduler);
            DemoStatus last = update(current -> current.withState(
                    finished && current.failed() == 0 ? DemoState.DONE : DemoState.FAILED));
            logSummary(last, started);
        } catch (InterruptedException shuttingDown) {
            update(current -> current.withState(DemoState.FAILED));
            log.info("Stopped registering demo connections at {}/{}: the sandbox is shutting down",
                    status().registered(), properties.connections());
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Demo registration failed", e);
            logSummary(update(current -> current.withState(DemoState.FAILED)), started);
        }
    }

    /** @return false when the run stopped before trying every connection */
    private boolean registerAll(SchedulerClient scheduler) throws InterruptedException {
        int requested = properties.connections();
        int number = 0;
        while (number < requested) {
            // the first connection is minted alone: it may wait for the scheduler, the others should not age meanwhile
            int batch = number == 0 ? 1 : Math.min(MINT_BATCH, requested - number);
            for (MintedConnection minted : minter.mint(batch)) {
                number++;
                DemoRegistration registration = DemoRegistration.of(tenantId(number), properties.provider(), minted);
                SchedulerAnswer answer = number == 1
                        ? registerFirst(scheduler, registration)
                        : scheduler.register(registration);
                boolean goOn = took(registration, answer);
                if (!goOn) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Tries the first registration until the scheduler answers anything but a 5xx, or {@code scheduler-wait} runs out.
     *
     * @return the last answer
     */
    private SchedulerAnswer registerFirst(SchedulerClient scheduler, DemoRegistration registration)
            throws InterruptedException {
        long deadline = System.nanoTime() + properties.schedulerWait().toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            SchedulerAnswer answer = scheduler.register(registration);
            long remainingNanos = deadline - System.nanoTime();
            if (!(answer instanceof SchedulerAnswer.Unavailable(String reason)) || remainingNanos <= 0) {
                return answer;
            }
            if (backoff.equals(FIRST_BACKOFF)) {
                log.info("The scheduler at {} is not ready yet ({}); retrying for up to {}",
                        properties.registerUrl(), reason, format(properties.schedulerWait()));
            } else {
                log.debug("The scheduler is still not ready ({})", reason);
            }
            Duration remaining = Duration.ofNanos(remainingNanos);
            Thread.sleep(backoff.compareTo(remaining) < 0 ? backoff : remaining);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) < 0 ? backoff.multipliedBy(2) : MAX_BACKOFF;
        }
    }

    /** @return whether the run goes on */
    private boolean took(DemoRegistration registration, SchedulerAnswer answer) {
        // the first registration is the probe: unless it is taken, every other one would fare the same
        boolean first = status().state() == DemoState.WAITING_FOR_SCHEDULER;
        switch (answer) {
            case SchedulerAnswer.Registered registered -> {
                DemoStatus now = update(current -> current.oneMoreRegistered().withState(DemoState.REGISTERING));
                if (now.registered() % PROGRESS_EVERY == 0 && now.registered() < now.requested()) {
                    log.info("registered {}/{} demo connections", now.registered(), now.requested());
                }
                return true;
            }
            case SchedulerAnswer.Rejected(int code, String detail) -> {
                update(DemoStatus::oneMoreFailed);
                log.error("Stopped registering demo connections: the scheduler answered {} for {}: {}", code,
                        registration.tenantId(), detail == null ? "(no detail)" : detail);
                return false;
            }
            case SchedulerAnswer.Unexpected(int code) -> {
                update(DemoStatus::oneMoreFailed);
                log.error("The scheduler answered {} for {}, neither 200 nor 201. Is {} its registration endpoint?",
                        code, registration.tenantId(), properties.registerUrl());
                return !first;
            }
            case SchedulerAnswer.Unavailable(String reason) when first -> {
                update(DemoStatus::oneMoreFailed);
                log.error("Gave up registering demo connections: the scheduler at {} was not ready within {} ({})."
                        + " The sandbox keeps running without them.", properties.registerUrl(),
                        format(properties.schedulerWait()), reason);
                return false;
            }
            case SchedulerAnswer.Unavailable(String reason) -> {
                update(DemoStatus::oneMoreFailed);
                log.warn("Registering {} failed: {}", registration.tenantId(), reason);
                return true;
            }
        }
    }

    private void logSummary(DemoStatus last, long startedNanos) {
        String elapsed = format(Duration.ofNanos(System.nanoTime() - startedNanos));
        if (last.state() == DemoState.DONE) {
            log.info("registered {}/{} demo connections in {}", last.registered(), last.requested(), elapsed);
        } else {
            log.warn("registered {}/{} demo connections in {}, {} failed", last.registered(), last.requested(),
                    elapsed, last.failed());
        }
    }

    private DemoStatus update(UnaryOperator<DemoStatus> change) {
        return status.updateAndGet(change);
    }

    String tenantId(int number) {
        return String.format(tenantIdFormat, properties.tenantPrefix(), number);
    }

    private static String format(Duration duration) {
        return duration.toMillis() < 1000
                ? duration.toMillis() + "ms"
                : String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }
}
