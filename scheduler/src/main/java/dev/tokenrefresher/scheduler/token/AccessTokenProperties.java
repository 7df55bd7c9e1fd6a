package dev.tokenrefresher.scheduler.token;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The access-token API, bound from {@code refresher.access-token}.
 *
 * @param defaultMinValidity how long a returned access token stays valid at least, when the caller does not ask
 *            (default {@value #DEFAULT_MIN_VALIDITY_TEXT}); for a provider whose tokens live shorter than twice
 *            that, half the token's life (60-s tokens: 30 s), so that the default never refreshes on every call
 * @param maxWait how long one call may wait for a refresh, its own or one in flight elsewhere (default
 *            {@value #DEFAULT_MAX_WAIT_TEXT}); then it answers 503
 * @param lease the single-flight lease an on-demand refresh takes, like a worker's (default
 *            {@value #DEFAULT_LEASE_TEXT}); must cover the worst case between its claim and its store, every
 *            provider's request timeout and a second for the statements ({@link #worstCase}), which start-up checks.
 *            Like a worker's, it is shortened to half the connection's access-token life where that is shorter, never
 *            below that worst case
 * @param owner how this scheduler names itself as the lease owner (default {@code api@<host>:<pid>})
 * @param attempts provider calls one on-demand refresh may make when the provider fails transiently (5xx, 429,
 *            connection error), the first included (default {@value #DEFAULT_ATTEMPTS}); a timed-out call (or a 504) is
 *            never retried within the call: the provider may still be serving it, so the caller gets 503 with a
 *            {@code Retry-After} of the provider's {@code timeout-quiet-period}, and nobody refreshes the connection
 *            before that has passed. No retry outlasts the lease or {@code max-wait}
 * @param retryBackoff the pause before the first retry (default 200 ms); it doubles with jitter, up to
 *            {@code retry-max-backoff} (default 2 s). A provider's {@code Retry-After} up to that long is waited in
 *            full; a longer one answers 503 with it
 */
@ConfigurationProperties("refresher.access-token")
public record AccessTokenProperties(Duration defaultMinValidity, Duration maxWait, Duration lease, String owner,
        Integer attempts, Duration retryBackoff, Duration retryMaxBackoff) {

    static final String DEFAULT_MIN_VALIDITY_TEXT = "5m";
    public static final Duration DEFAULT_MIN_VALIDITY = Duration.ofMinutes(5);
    static final String DEFAULT_MAX_WAIT_TEXT = "20s";
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(20);
    static final String DEFAULT_LEASE_TEXT = "30s";
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    public static final int DEFAULT_ATTEMPTS = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(2);
    /** What a claim's lease leaves after the provider call: the claim's and the store's statements. */
    static final Duration STATEMENTS_MARGIN = Duration.ofSeconds(1);

    public AccessTokenProperties {
        defaultMinValidity = defaultMinValidity == null ? DEFAULT_MIN_VALIDITY : defaultMinValidity;
        maxWait = maxWait == null ? DEFAULT_MAX_WAIT : maxWait;
        lease = lease == null ? DEFAULT_LEASE : lease;
        owner = owner == null || owner.isBlank() ? "api@" + host() + ":" + ProcessHandle.current().pid() : owner;
        attempts = attempts == null ? DEFAULT_ATTEMPTS : attempts;
        retryBackoff = retryBackoff == null ? DEFAULT_RETRY_BACKOFF : retryBackoff;
        retryMaxBackoff = retryMaxBackoff == null ? DEFAULT_RETRY_MAX_BACKOFF : retryMaxBackoff;
        if (defaultMinValidity.isNegative() || !maxWait.isPositive() || !lease.isPositive()) {
            throw new IllegalArgumentException("refresher.access-token: default-min-validity must not be negative, "
                    + "max-wait and lease must be positive");
        }
        if (attempts < 1 || !retryBackoff.isPositive() || retryMaxBackoff.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException("refresher.access-token: attempts must be at least 1, retry-backoff "
                    + "positive and retry-max-backoff at least retry-backoff");
        }
    }

    /**
     * The longest an on-demand claim is busy between its statement and the store of its result: one whole request
     * and {@link #STATEMENTS_MARGIN}. Its retries need not be counted: one starts only where it ends, a whole request
     * timeout and the store included, before the lease does ({@code ClaimedRefresh}).
     */
    Duration worstCase(Duration requestTimeout) {
        return requestTimeout.plus(STATEMENTS_MARGIN);
    }

    /**
     * @throws IllegalStateException naming the settings and figures, when the lease does not cover the provider's
     *             worst case
     */
    void requireLeaseCovers(String provider, Duration requestTimeout) {
        Duration worst = worstCase(requestTimeout);
        if (lease.compareTo(worst) < 0) {
            throw new IllegalStateException("refresher.access-token.lease (" + lease + ") is shorter than the worst "
                    + "case between an on-demand claim and the store of its result for provider " + provider + ", "
                    + worst + " = refresher.providers." + provider + ".request-timeout " + requestTimeout
                    + " + the statements " + STATEMENTS_MARGIN + ". A worker could claim the connection and call the "
                    + "provider with the same refresh token: raise refresher.access-token.lease to at least " + worst
                    + " or lower the request timeout");
        }
    }

    /** The shortest lease an on-demand claim may get for a provider: its worst case, but no more than the lease. */
    Duration leaseFloor(Duration requestTimeout) {
        Duration floor = worstCase(requestTimeout);
        return floor.compareTo(lease) < 0 ? floor : lease;
    }

    /**
     * The validity a call gets when it asks for none: the configured default, or half the token's life where that is
     * shorter.
     *
     * @param tokenLifetime the connection's access-token lifetime; {@code null} when not known yet
     */
    Duration defaultMinValidityFor(Duration tokenLifetime) {
        if (tokenLifetime == null) {
            return defaultMinValidity;
        }
        Duration half = tokenLifetime.dividedBy(2);
        return half.compareTo(defaultMinValidity) < 0 ? half : defaultMinValidity;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }
}
