package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.StateTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The on-demand refresh's side of DESIGN decision 6: each provider's circuit breaker ({@link ProviderBreakers}, this
 * scheduler's own, fed by its own provider calls only) decides whether a call that needs a refresh may reach the
 * provider. While it is open, none does: the caller is told when the breaker lets a probe call through.
 *
 * <p>resilience4j does not say when an open breaker will let a probe through, so this class keeps it: at each
 * transition to OPEN, the breaker's own clock plus its wait ({@code wait-duration-in-open-state}, or the interval
 * function of {@code enable-exponential-backoff} for the how-many-th opening in a row it is). Both ends are read from
 * the breaker's clock, so a skewed application clock cannot shorten or stretch the answer.
 */
@Component
class ProviderCircuits {

    private static final Logger log = LoggerFactory.getLogger(ProviderCircuits.class);
    /** Retry-After never says less: a caller must not come back at once. */
    static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * What a caller is told while the breaker is HALF_OPEN and every probe call is taken: the probes' answers decide,
     * at most a request timeout away, and the breaker closes (or opens again) at once.
     */
    static final Duration HALF_OPEN_RETRY_AFTER = Duration.ofSeconds(1);

    /** One opening of a breaker: when it lets a probe through, and the how-many-th opening in a row it is. */
    private record Opening(Instant probeAt, int inARow) {
    }

    private final ProviderBreakers breakers;
    /** Per provider, the current opening; {@code null} once the breaker closed. */
    private final Map<String, AtomicReference<Opening>> openings = new LinkedHashMap<>();

    ProviderCircuits(ProviderRegistry providers, ProviderBreakers breakers) {
        this.breakers = breakers;
        for (ProviderSettings provider : providers.all()) {
            String name = provider.name();
            AtomicReference<Opening> opening = new AtomicReference<>();
            openings.put(name, opening);
            CircuitBreaker breaker = breakers.of(name);
            breaker.getEventPublisher().onStateTransition(event -> follow(name, breaker, opening, event
                    .getStateTransition()));
        }
    }

    private static void follow(String provider, CircuitBreaker breaker, AtomicReference<Opening> opening,
            StateTransition transition) {
        switch (transition.getToState()) {
            case OPEN -> {
                Opening now = opening.updateAndGet(before -> {
                    // resilience4j counts an opening from HALF_OPEN as the next one in a row, from CLOSED as the first
                    int inARow = before != null && transition.getFromState() == State.HALF_OPEN
                            ? before.inARow() + 1
                            : 1;
                    return new Opening(clock(breaker).plus(waitInOpenState(breaker, inARow)), inARow);
                });
                log.warn("provider {} circuit breaker OPEN: on-demand refreshes answer 503 without calling it until "
                        + "{}; tokens still valid enough are answered from the store", provider, now.probeAt());
            }
            case CLOSED -> {
                opening.set(null);
                log.info("provider {} circuit breaker CLOSED: on-demand refreshes call it again", provider);
            }
            case HALF_OPEN -> log.info("provider {} circuit breaker HALF_OPEN: the next on-demand refreshes probe it",
                    provider);
            case FORCED_OPEN, DISABLED, METRICS_ONLY -> log.warn("provider {} circuit breaker {}", provider, transition
                    .getToState());
        }
    }

    /**
     * Before a claim: a call whose refresh could not reach the provider is refused at once, without taking the
     * connection's lease. An OPEN breaker is asked itself, so that the refusal is counted ({@code not_permitted}) and
     * one whose wait is over moves to HALF_OPEN; its permission is given back at once, the call takes its own after
     * the claim ({@link #acquire}). A CLOSED or HALF_OPEN breaker is not touched here.
     *
     * @throws ProviderCircuitOpenException the breaker is OPEN and its wait is not over, or FORCED_OPEN
     */
    void requireCallable(UUID connectionId, String provider) {
        CircuitBreaker breaker = breakers.of(provider);
        State state = breaker.getState();
        if (state != State.OPEN && state != State.FORCED_OPEN) {
            return;
        }
        if (!breaker.tryAcquirePermission()) {
            throw refused(connectionId, provider, breaker, breaker.getState());
        }
        breaker.releasePermission();
    }

    /**
     * Takes the breaker's permission for one provider call; its answer must then be {@link #record}ed, or the
     * permission {@link #release}d if no answer came.
     *
     * @throws ProviderCircuitOpenException the breaker lets no call through
     */
    void acquire(UUID connectionId, String provider) {
        CircuitBreaker breaker = breakers.of(provider);
        if (!breaker.tryAcquirePermission()) {
            throw refused(connectionId, provider, breaker, breaker.getState());
        }
    }

    /** Tells the breaker the answer of a call it let through: only a transient failure counts against the provider. */
    void record(String provider, RefreshResult result) {
        ProviderBreakers.record(breakers.of(provider), provider, result);
    }

    /** Gives back the permission of a call that got no answer (a defect in our client, not the provider's doing). */
    void release(String provider) {
        breakers.of(provider).releasePermission();
    }

    private ProviderCircuitOpenException refused(UUID connectionId, String provider, CircuitBreaker breaker,
            State state) {
        Duration retryAfter = switch (state) {
            case OPEN -> untilProbe(provider, breaker);
            // held open by an operator: no end is known, the breaker's own wait is the best guess
            case FORCED_OPEN -> waitInOpenState(breaker, 1);
            // HALF_OPEN with every probe taken, or it moved on since it refused
            default -> HALF_OPEN_RETRY_AFTER;
        };
        return new ProviderCircuitOpenException(connectionId, provider, state, retryAfter.compareTo(
                MIN_RETRY_AFTER) < 0 ? MIN_RETRY_AFTER : retryAfter);
    }

    /**
     * How long an OPEN breaker lets no call through any more; a whole wait when its opening was not seen yet (the
     * transition's listener runs just after the state changed).
     */
    private Duration untilProbe(String provider, CircuitBreaker breaker) {
        Opening opening = openings.get(provider).get();
        return opening == null
                ? waitInOpenState(breaker, 1)
                : Duration.between(clock(breaker), opening.probeAt());
    }

    private static Duration waitInOpenState(CircuitBreaker breaker, int inARow) {
        return Duration.ofMillis(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(
                inARow));
    }

    private static Instant clock(CircuitBreaker breaker) {
        return breaker.getCircuitBreakerConfig().getClock().instant();
    }
}
