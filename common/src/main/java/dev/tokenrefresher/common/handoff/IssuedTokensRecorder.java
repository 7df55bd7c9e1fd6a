package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.database.DatabaseOutage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the tokens a provider has just issued durable (DESIGN decision 10): stored in PostgreSQL, or, while it is
 * down, handed to RabbitMQ's hand-off queue, from which a {@link HandoffDrain} stores them once it is back. While both
 * are down the tokens are in this process's memory only: it keeps trying both, says so loudly and counts it.
 *
 * <p>A store the database refuses for another reason than an outage (a value or a row it cannot take) is handed off at
 * once, not retried and not thrown away: the provider has rotated, and these tokens are the chain's only future. The
 * drain then meets the same refusal and parks the hand-off with its connection, for an operator.
 *
 * <p>The process never calls the provider again for a connection whose issued tokens it holds unrecorded
 * ({@link #isHolding}): the provider has rotated the refresh token it would use.
 */
public final class IssuedTokensRecorder {

    private static final Logger log = LoggerFactory.getLogger(IssuedTokensRecorder.class);
    /** The first pause between two tries; it doubles up to {@link #MAX_PAUSE}. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    /** How often a process holding tokens with both stores down says so again. */
    static final Duration AT_RISK_LOG_INTERVAL = Duration.ofSeconds(30);

    /** How a refresh's result became durable. */
    public sealed interface Recorded {

        /** Stored in PostgreSQL; empty when the guard found a newer token stored or the connection disconnected. */
        record InDatabase(Optional<Stored> stored) implements Recorded {
        }

        /**
         * On the hand-off queue: a drain stores it once PostgreSQL answers, and publishes the next message then.
         *
         * @param storeRefused whether the database refused the store (rather than being unreachable): the drain will
         *            most likely be refused too and park it for an operator
         */
        record HandedOff(boolean storeRefused) implements Recorded {
        }
    }

    /** Sends a refresh's result to the hand-off queue, confirmed. */
    @FunctionalInterface
    interface HandoffSink {
        /** @throws HandoffFailedException when the broker did not confirm it */
        void publish(RefreshToStore refresh);
    }

    /** Waits between tries; tests replace it. */
    @FunctionalInterface
    interface Pause {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final HandoffSink handoff;
    private final Clock clock;
    private final Pause pause;
    private final Set<UUID> holding = ConcurrentHashMap.newKeySet();
    private final Counter handedOff;
    private final Counter storeRefused;
    private final Counter atRisk;
    private final Counter lost;
    private final Timer unrecorded;

    IssuedTokensRecorder(HandoffSink handoff, MeterRegistry meters, Clock clock, Pause pause) {
        this.handoff = handoff;
        this.clock = clock;
        this.pause = pause;
        this.handedOff = Counter.builder("refresher.handoff.published")
                .description("Refreshes whose issued tokens went to the hand-off queue: PostgreSQL down or refusing")
                .register(meters);
        this.storeRefused = Counter.builder("refresher.handoff.store_refused")
                .description("Refreshes handed off at once because the database refused their store (not an outage)")
                .register(meters);
        this.atRisk = Counter.builder("refresher.handoff.at_risk")
                .description("Refreshes whose issued tokens were held in memory only: PostgreSQL and RabbitMQ down")
                .register(meters);
        this.lost = Counter.builder("refresher.handoff.lost")
                .description("Refreshes whose issued tokens were given up unrecorded (the process was stopping)")
                .register(meters);
        this.unrecorded = Timer.builder("refresher.refresh.unrecorded")
                .description("From the provider's answer to its tokens being durable (stored or handed off)")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        meters.gauge("refresher.handoff.held", holding, Set::size);
    }

    /** Whether this process holds issued tokens of this connection that are not yet durable anywhere. */
    public boolean isHolding(UUID connectionId) {
        return holding.contains(connectionId);
    }

    /**
     * Makes {@code refresh} durable: {@code store} it, retried for {@code storeFor} while the database is down; then
     * hand it off; while the broker refuses that too, try both in turn until one takes it.
     *
     * A store that fails for another reason than an outage is handed off at once.
     *
     * @param answeredAt when the provider's answer arrived (for {@code refresher.refresh.unrecorded})
     */
    public Recorded record(RefreshToStore refresh, Function<RefreshToStore, Optional<Stored>> store,
            Duration storeFor, long answeredAt) {
        try {
            return recordOrKeepTrying(refresh, store, storeFor);
        } finally {
            unrecorded.record(System.nanoTime() - answeredAt, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Recorded recordOrKeepTrying(RefreshToStore refresh, Function<RefreshToStore, Optional<Stored>> store,
            Duration storeFor) {
        UUID id = refresh.claim().connectionId();
        Instant handOffAt = clock.instant().plus(storeFor);
        Duration wait = FIRST_PAUSE;
        boolean refused = false;
        try {
            while (true) {
                Attempt attempt = tryStore(refresh, store);
                if (attempt instanceof Attempt.Done done) {
                    return new Recorded.InDatabase(done.result());
                }
                holding.add(id);
                if (attempt instanceof Attempt.Refused refusal) {
                    refused = true;
                    storeRefused.increment();
                    log.warn("connection={} provider={} fence={} outcome=store_refused: the database refused to store "
                            + "the issued tokens ({}); handing them off at once", id, refresh.claim().provider(),
                            refresh.claim().fence(), refusal.why());
                    break;
                }
                if (!clock.instant().isBefore(handOffAt)) {
                    break;
                }
                sleep(wait, refresh);
                wait = longer(wait);
            }
            Instant lastWarned = null;
            boolean counted = false;
            while (true) {
                try {
                    handoff.publish(refresh);
                    handedOff.increment();
                    log.warn("connection={} provider={} fence={} outcome=handed_off: {}; the issued tokens are on the "
                            + "hand-off queue", id, refresh.claim().provider(), refresh.claim().fence(),
                            refused
                                    ? "the database refused them, a drain parks them for an operator if it is refused too"
                                    : "PostgreSQL is unreachable, a drain stores them once it is back");
                    return new Recorded.HandedOff(refused);
                } catch (HandoffFailedException e) {
                    if (!counted) {
                        atRisk.increment();
                        counted = true;
                    }
                    Instant now = clock.instant();
                    if (lastWarned == null || !now.isBefore(lastWarned.plus(AT_RISK_LOG_INTERVAL))) {
                        lastWarned = now;
                        log.error("connection={} provider={} TOKENS AT RISK: the provider issued new tokens, "
                                + "PostgreSQL and RabbitMQ are both unreachable, and they are held in this process's "
                                + "memory only; if it stops now the tenant must reconnect. Still trying both ({})", id,
                                refresh.claim().provider(), e.getMessage());
                    }
                }
                if (tryStore(refresh, store) instanceof Attempt.Done done) {
                    return new Recorded.InDatabase(done.result());
                }
                sleep(wait, refresh);
                wait = longer(wait);
            }
        } finally {
            holding.remove(id);
        }
    }

    /** What one try of the store came to. */
    private sealed interface Attempt {

        /** The statement ran; empty where its guard found a newer token stored or the connection disconnected. */
        record Done(Optional<Stored> result) implements Attempt {
        }

        /** PostgreSQL is unreachable or briefly unable to answer: worth trying again. */
        record DatabaseDown() implements Attempt {
        }

        /** The database answered with a refusal that trying again does not change. */
        record Refused(String why) implements Attempt {
        }
    }

    private static Attempt tryStore(RefreshToStore refresh, Function<RefreshToStore, Optional<Stored>> store) {
        try {
            return new Attempt.Done(store.apply(refresh));
        } catch (RuntimeException e) {
            if (DatabaseOutage.isOutage(e)) {
                return new Attempt.DatabaseDown();
            }
            return new Attempt.Refused(StoreFailures.describe(e));
        }
    }

    private void sleep(Duration wait, RefreshToStore refresh) {
        try {
            pause.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost.increment();
            log.error("connection={} provider={} TOKENS LOST: the process is stopping while the tokens the provider "
                    + "issued are recorded nowhere; the tenant must reconnect", refresh.claim().connectionId(),
                    refresh.claim().provider());
            throw new TokensLostException(refresh.claim().connectionId());
        }
    }

    private static Duration longer(Duration wait) {
        Duration doubled = wait.multipliedBy(2);
        return doubled.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : doubled;
    }
}
