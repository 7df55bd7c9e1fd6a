package dev.tokenrefresher.scheduler.token;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The access-token API, bound from {@code refresher.access-token}.
 *
 * @param defaultMinValidity how long a returned access token stays valid at least, when the caller does not ask
 *            (default {@value #DEFAULT_MIN_VALIDITY_TEXT})
 * @param maxWait how long one call may wait for a refresh, its own or one in flight elsewhere (default
 *            {@value #DEFAULT_MAX_WAIT_TEXT}); then it answers 503
 * @param lease the single-flight lease an on-demand refresh takes, like a worker's (default
 *            {@value #DEFAULT_LEASE_TEXT}); must be longer than any provider's request timeout
 * @param owner how this scheduler names itself as the lease owner (default {@code api@<host>:<pid>})
 */
@ConfigurationProperties("refresher.access-token")
public record AccessTokenProperties(Duration defaultMinValidity, Duration maxWait, Duration lease, String owner) {

    static final String DEFAULT_MIN_VALIDITY_TEXT = "5m";
    public static final Duration DEFAULT_MIN_VALIDITY = Duration.ofMinutes(5);
    static final String DEFAULT_MAX_WAIT_TEXT = "20s";
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(20);
    static final String DEFAULT_LEASE_TEXT = "30s";
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    public AccessTokenProperties {
        defaultMinValidity = defaultMinValidity == null ? DEFAULT_MIN_VALIDITY : defaultMinValidity;
        maxWait = maxWait == null ? DEFAULT_MAX_WAIT : maxWait;
        lease = lease == null ? DEFAULT_LEASE : lease;
        owner = owner == null || owner.isBlank() ? "api@" + host() + ":" + ProcessHandle.current().pid() : owner;
        if (defaultMinValidity.isNegative() || !maxWait.isPositive() || !lease.isPositive()) {
            throw new IllegalArgumentException("refresher.access-token: default-min-validity must not be negative, "
                    + "max-wait and lease must be positive");
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }
}
