package dev.tokenrefresher.sandbox.faults;

import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes the token endpoint misbehave like real providers do, so that a client's retries, circuit breakers and
 * dead-lettering can be tested. What it decides for a request depends on nothing but the fault settings, the clock and
 * the random draws: never on the request, its client or its tokens.
 *
 * <p>
 * When several faults are on, an outage wins (the provider is down, whatever the request), then invalid_client (it
 * answers every request it sees), then one draw splits the rest: the first {@code rateLimitRate} of the unit interval
 * answers 429, the next {@code errorRate} an error, the next {@code hangRate} a hang, and the remainder goes through.
 *
 * <p>
 * The draws come from one {@link Random}, seeded when a seed is set, so that a run of requests one after the other
 * sees the same faults every time. Concurrent requests share the sequence in the order they arrive.
 */
@Component
class FaultInjector implements FaultDecider {

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

    static final int DEFAULT_OUTAGE_STATUS = 503;

    private final Clock clock;
    private final RuntimeSettings runtimeSettings;
    private final AtomicReference<State> state;
    /** Faults for the next requests, one each, before anything else but an outage is decided. */
    private final AtomicReference<NextFaults> next = new AtomicReference<>(NextFaults.NONE);

    /** {@code remaining} requests answer {@code fault}; then the settings decide again. */
    private record NextFaults(int remaining, InjectedFault fault) {
        static final NextFaults NONE = new NextFaults(0, null);

        NextFaults used() {
            return remaining <= 1 ? NONE : new NextFaults(remaining - 1, fault);
        }
    }

    /** Settings, draws and outage change together, so that a decision never mixes an old one with a new one. */
    private record State(FaultSettings settings, Random random, Outage outage) {
    }

    FaultInjector(FaultProperties properties, RuntimeSettings runtimeSettings, Clock clock) {
        this.clock = clock;
        this.runtimeSettings = runtimeSettings;
        FaultSettings initial = properties.settings();
        this.state = new AtomicReference<>(new State(initial, random(initial.seed()), null));
        log.info("Sandbox faults: {}", initial);
    }

    @Override
    public FaultDecision decide() {
        State current = state.get();
        FaultSettings settings = current.settings();
        Random random = current.random();
        Duration latency = latency(runtimeSettings.current().latency(), settings.latencyMaxMillis(), random);
        if (current.outage() != null && current.outage().activeAt(clock.instant())) {
            return new FaultDecision.Inject(latency, InjectedFault.outage(current.outage().status()));
        }
        NextFaults queued = next.getAndUpdate(NextFaults::used);
        if (queued.remaining() > 0) {
            return new FaultDecision.Inject(latency, queued.fault());
        }
        if (settings.invalidClient()) {
            return new FaultDecision.Inject(latency, InjectedFault.invalidClient());
        }
        if (!settings.drawsFaults()) {
            return new FaultDecision.Proceed(latency);
        }
        double draw = random.nextDouble();
        double rateLimitedBelow = settings.rateLimitRate();
        double errorBelow = rateLimitedBelow + settings.errorRate();
        double hangBelow = errorBelow + settings.hangRate();
        if (draw < rateLimitedBelow) {
            return new FaultDecision.Inject(latency, InjectedFault.rateLimited(settings.retryAfterSeconds()));
        }
        if (draw < errorBelow) {
            List<Integer> statuses = settings.errorStatuses();
            return new FaultDecision.Inject(latency,
                    InjectedFault.error(statuses.get(random.nextInt(statuses.size()))));
        }
        if (draw < hangBelow) {
            // the hang takes the place of the latency: it is the time the request goes unanswered
            return new FaultDecision.Inject(Duration.ofMillis(settings.hangMillis()), InjectedFault.hang());
        }
        return new FaultDecision.Proceed(latency);
    }

    /** Uniform between the fixed latency and {@code latencyMaxMillis}, both included, when the maximum is above it. */
    private static Duration latency(Duration fixed, long maxMillis, Random random) {
        long minMillis = fixed.toMillis();
        if (maxMillis <= minMillis) {
            return fixed;
        }
        return Duration.ofMillis(random.nextLong(minMillis, maxMillis + 1));
    }

    FaultSettings settings() {
        return state.get().settings();
    }

    /** The outage under way, if any. */
    Optional<Outage> outage() {
        Outage outage = state.get().outage();
        return outage != null && outage.activeAt(clock.instant()) ? Optional.of(outage) : Optional.empty();
    }

    /**
     * Applies a partial change; a seed in it restarts the draws from that seed.
     *
     * @throws InvalidFaultSetting
     *             when a value is out of range, naming the field; nothing changes then
     */
    FaultSettings change(FaultChange change) {
        State changed = state.updateAndGet(before -> new State(before.settings().changedBy(change),
                change.seed() == null ? before.random() : random(change.seed()), before.outage()));
        log.info("Sandbox faults changed: {}", changed.settings());
        return changed.settings();
    }

    /**
     * No faults and default parameters, and no outage. The seed stays, and the draws restart from it, so that each test
     * that begins with a clear sees the same sequence.
     */
    FaultSettings clear() {
        State cleared = state.updateAndGet(before -> {
            Long seed = before.settings().seed();
            return new State(FaultSettings.none(seed), random(seed), null);
        });
        next.set(NextFaults.NONE);
        log.info("Sandbox faults cleared: {}", cleared.settings());
        return cleared.settings();
    }

    /**
     * The next {@code requests} token requests fail with {@code status} (429 with {@code Retry-After:
     * retryAfterSeconds}), one each, whatever else is set; then the settings decide again. Lets a test fail exactly
     * the first call and see what the retry does.
     */
    void failNext(int requests, int status, long retryAfterSeconds, Duration bodyStall) {
        InjectedFault fault;
        if (bodyStall.isPositive()) {
            fault = InjectedFault.stalledBody(bodyStall);
        } else {
            FaultLimits.status("status", status);
            fault = status == 429
                    ? InjectedFault.rateLimited(retryAfterSeconds)
                    : InjectedFault.error(status);
        }
        next.set(new NextFaults(requests, fault));
        log.info("The next {} token requests answer {}", requests, fault.kind());
    }

    /** Every token request fails with {@code status} from now until {@code length} has passed by the clock. */
    Outage startOutage(Duration length, int status) {
        Outage outage = new Outage(FaultLimits.status("status", status), clock.instant().plus(length));
        state.updateAndGet(before -> new State(before.settings(), before.random(), outage));
        log.info("Outage: every token request answers {} until {}", outage.status(), outage.endsAt());
        return outage;
    }

    void endOutage() {
        State before = state.getAndUpdate(current -> new State(current.settings(), current.random(), null));
        if (before.outage() != null && before.outage().activeAt(clock.instant())) {
            log.info("Outage ended early");
        }
    }

    private static Random random(Long seed) {
        return seed == null ? new Random() : new Random(seed);
    }
}
