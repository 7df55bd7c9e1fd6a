package dev.tokenrefresher.sandbox.settings;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The settings a test or benchmark may change while the sandbox runs. Each token request reads one consistent
 * {@link Snapshot}, so a change never applies half-way through a request.
 */
@Component
public class RuntimeSettings {

    private static final Logger log = LoggerFactory.getLogger(RuntimeSettings.class);

    private final AtomicReference<Snapshot> current;
    /** How long a grant's answer is held after the token logic ran: the provider has rotated, the client not heard. */
    private final AtomicReference<Duration> answerDelay = new AtomicReference<>(Duration.ZERO);
    /** Whether revoking a refresh token the chain has rotated away revokes the chain (Intuit-like) or does nothing. */
    private volatile boolean spentTokenRevokes = true;
    /** How long a refresh token the chain rotated away stays usable, for connections without a grace of their own. */
    private final AtomicReference<Duration> reuseGrace = new AtomicReference<>(DEFAULT_REUSE_GRACE);

    /** Strict rotation: a replaced refresh token is refused at once, as at Intuit, Salesforce or Keycloak. */
    public static final Duration DEFAULT_REUSE_GRACE = Duration.ZERO;

    public RuntimeSettings(SandboxProperties properties) {
        current = new AtomicReference<>(new Snapshot(properties.accessTokenLifetime(), properties.rotateEvery(),
                properties.latency()));
        log.info("Sandbox settings: {}", current.get());
    }

    public Snapshot current() {
        return current.get();
    }

    /**
     * How long a successful refresh's answer is held after the refresh token was rotated (default 0): the moment a
     * lost answer or a late store matters, made long enough for a test to act in it.
     */
    public Duration answerDelay() {
        return answerDelay.get();
    }

    /**
     * Whether a revocation request with a refresh token the chain has rotated away revokes the whole chain (default
     * {@code true}, as before), or, {@code false}, has no effect, as at a provider that only knows the token in force.
     */
    public boolean spentTokenRevokes() {
        return spentTokenRevokes;
    }

    /**
     * How long, after a rotation, the refresh token it replaced is still accepted (a fresh pair each time), for
     * connections without a grace of their own; default {@link #DEFAULT_REUSE_GRACE}, strict. Xero keeps it 30
     * minutes.
     */
    public Duration reuseGrace() {
        return reuseGrace.get();
    }

    void changeReuseGrace(Duration grace) {
        reuseGrace.set(grace);
        log.info("Sandbox refresh tokens rotated away stay usable for {} (connections without a grace of their own)",
                grace);
    }

    void changeSpentTokenRevokes(boolean revokes) {
        spentTokenRevokes = revokes;
        log.info("Sandbox revocations with a spent refresh token {}", revokes ? "revoke the chain" : "do nothing");
    }

    void changeAnswerDelay(Duration delay) {
        answerDelay.set(delay);
        log.info("Sandbox answers to successful refreshes are held {} after the rotation", delay);
    }

    /** Applies the given values, keeping the current one wherever a value is null. */
    Snapshot change(Duration accessTokenLifetime, Integer rotateEvery, Duration latency) {
        Snapshot changed = current.updateAndGet(before -> new Snapshot(
                Objects.requireNonNullElse(accessTokenLifetime, before.accessTokenLifetime()),
                Objects.requireNonNullElse(rotateEvery, before.rotateEvery()),
                Objects.requireNonNullElse(latency, before.latency())));
        log.info("Sandbox settings changed: {}", changed);
        return changed;
    }

    /**
     * @param accessTokenLifetime
     *            lifetime of access tokens issued from now on
     * @param rotateEvery
     *            1 = rotate the refresh token on every refresh, N = on every Nth, 0 = never
     * @param latency
     *            extra time spent inside each token request
     */
    public record Snapshot(Duration accessTokenLifetime, int rotateEvery, Duration latency) {

        public Snapshot {
            Objects.requireNonNull(accessTokenLifetime, "accessTokenLifetime");
            Objects.requireNonNull(latency, "latency");
            if (accessTokenLifetime.isNegative() || rotateEvery < 0 || latency.isNegative()) {
                throw new IllegalArgumentException("settings must not be negative: " + this);
            }
        }

        /** Whether the refresh that makes {@code uses} uses of the same refresh token hands out a new one. */
        public boolean rotatesAfter(int uses) {
            return rotateEvery > 0 && uses >= rotateEvery;
        }
    }
}
