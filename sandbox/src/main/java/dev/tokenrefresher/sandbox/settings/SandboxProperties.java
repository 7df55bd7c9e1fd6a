package dev.tokenrefresher.sandbox.settings;

import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sandbox authorization server, bound from {@code sandbox.*}. Every property is optional; a missing one
 * takes the named default. Durations accept Spring's formats, e.g. {@code 60s}, {@code 100d}, {@code 250ms}.
 *
 * @param clientId
 *            the only client id the token endpoint accepts ({@code sandbox.client-id}, default
 *            {@value #DEFAULT_CLIENT_ID})
 * @param clientSecret
 *            the secret that client must present ({@code sandbox.client-secret}, default
 *            {@value #DEFAULT_CLIENT_SECRET})
 * @param accessTokenLifetime
 *            how long a freshly issued access token lives, reported as {@code expires_in}
 *            ({@code sandbox.access-token-lifetime}, default 3600s); changeable at run time
 * @param refreshTokenLifetime
 *            the rolling lifetime of a refresh token, extended by each use and reported as
 *            {@code x_refresh_token_expires_in} ({@code sandbox.refresh-token-lifetime}, default 100 days like Intuit)
 * @param refreshTokenHardLifetime
 *            the cap on a whole refresh-token chain, counted from the connection's authorisation; no refresh extends
 *            past it ({@code sandbox.refresh-token-hard-lifetime}, default 5 * 365 days like Intuit)
 * @param rotateEvery
 *            how often a refresh hands out a new refresh token: 1 = on every refresh, N = on every Nth refresh of the
 *            same token, 0 = never ({@code sandbox.rotate-every}, default {@value #DEFAULT_ROTATE_EVERY}); changeable at
 *            run time
 * @param latency
 *            extra time spent inside each token request while it counts as in flight, to simulate a slow provider and
 *            provoke overlaps ({@code sandbox.latency}, default 0); changeable at run time. With
 *            {@code sandbox.faults.latency-max} above it, it is the low end of a random range
 */
@ConfigurationProperties("sandbox")
public record SandboxProperties(
        String clientId,
        String clientSecret,
        Duration accessTokenLifetime,
        Duration refreshTokenLifetime,
        Duration refreshTokenHardLifetime,
        @DefaultValue(DEFAULT_ROTATE_EVERY_TEXT) int rotateEvery,
        Duration latency) {

    public static final String DEFAULT_CLIENT_ID = "sandbox-client";
    public static final String DEFAULT_CLIENT_SECRET = "sandbox-secret";
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(3600);
    public static final Duration DEFAULT_REFRESH_TOKEN_LIFETIME = Duration.ofDays(100);
    public static final Duration DEFAULT_REFRESH_TOKEN_HARD_LIFETIME = Duration.ofDays(5 * 365);
    public static final int DEFAULT_ROTATE_EVERY = 1;
    public static final Duration DEFAULT_LATENCY = Duration.ZERO;

    // An int cannot be null, so the binder needs the default as annotation text when sandbox.rotate-every is absent.
    static final String DEFAULT_ROTATE_EVERY_TEXT = "" + DEFAULT_ROTATE_EVERY;

    public SandboxProperties {
        clientId = Objects.requireNonNullElse(clientId, DEFAULT_CLIENT_ID);
        clientSecret = Objects.requireNonNullElse(clientSecret, DEFAULT_CLIENT_SECRET);
        accessTokenLifetime = notNegative("access-token-lifetime",
                Objects.requireNonNullElse(accessTokenLifetime, DEFAULT_ACCESS_TOKEN_LIFETIME));
        refreshTokenLifetime = notNegative("refresh-token-lifetime",
                Objects.requireNonNullElse(refreshTokenLifetime, DEFAULT_REFRESH_TOKEN_LIFETIME));
        refreshTokenHardLifetime = notNegative("refresh-token-hard-lifetime",
                Objects.requireNonNullElse(refreshTokenHardLifetime, DEFAULT_REFRESH_TOKEN_HARD_LIFETIME));
        latency = notNegative("latency", Objects.requireNonNullElse(latency, DEFAULT_LATENCY));
        if (rotateEvery < 0) {
            throw new IllegalArgumentException("sandbox.rotate-every must be zero or positive, was " + rotateEvery);
        }
    }

    /** The settings the sandbox runs with when nothing is configured. */
    public static SandboxProperties defaults() {
        return new SandboxProperties(null, null, null, null, null, DEFAULT_ROTATE_EVERY, null);
    }

    private static Duration notNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("sandbox." + name + " must be zero or positive, was " + value);
        }
        return value;
    }
}
