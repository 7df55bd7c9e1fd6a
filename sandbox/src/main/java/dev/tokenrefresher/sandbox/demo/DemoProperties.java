package dev.tokenrefresher.sandbox.demo;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo switch, bound from {@code sandbox.demo.*}: when {@code connections} is above 0 the sandbox mints that many
 * connections after start-up and registers each with token-refresher's scheduler, so tokens start refreshing with
 * nothing else to do. Every property is optional while the switch is off.
 *
 * @param connections
 *            how many connections to mint and register; 0 switches the demo off ({@code sandbox.demo.connections},
 *            default {@value #DEFAULT_CONNECTIONS})
 * @param registerUrl
 *            the scheduler's registration endpoint, e.g. {@code http://127.0.0.1:8080/api/connections}
 *            ({@code sandbox.demo.register-url}); required when {@code connections} is above 0
 * @param provider
 *            the provider name each registration carries, as configured in the scheduler
 *            ({@code sandbox.demo.provider}, default {@value #DEFAULT_PROVIDER})
 * @param tenantPrefix
 *            tenant ids are this prefix followed by a zero-padded number from 1, e.g. {@code demo-tenant-0001}
 *            ({@code sandbox.demo.tenant-prefix}, default {@value #DEFAULT_TENANT_PREFIX})
 * @param schedulerWait
 *            how long to keep retrying the first registration while the scheduler cannot be reached or answers 5xx,
 *            e.g. while it starts beside the sandbox in docker compose ({@code sandbox.demo.scheduler-wait}, default 2
 *            minutes)
 * @param headers
 *            extra headers on every registration request, e.g. an API key the scheduler requires
 *            ({@code sandbox.demo.headers.x-api-key=...}, default none); their values are never logged
 */
@ConfigurationProperties("sandbox.demo")
record DemoProperties(
        @DefaultValue(DEFAULT_CONNECTIONS_TEXT) int connections,
        URI registerUrl,
        String provider,
        String tenantPrefix,
        Duration schedulerWait,
        Map<String, String> headers) {

    static final int DEFAULT_CONNECTIONS = 0;
    static final String DEFAULT_PROVIDER = "quickbooks";
    static final String DEFAULT_TENANT_PREFIX = "demo-tenant-";
    static final Duration DEFAULT_SCHEDULER_WAIT = Duration.ofMinutes(2);

    // An int cannot be null, so the binder needs the default as annotation text when the property is absent.
    static final String DEFAULT_CONNECTIONS_TEXT = "" + DEFAULT_CONNECTIONS;

    DemoProperties {
        provider = Objects.requireNonNullElse(provider, DEFAULT_PROVIDER);
        tenantPrefix = Objects.requireNonNullElse(tenantPrefix, DEFAULT_TENANT_PREFIX);
        schedulerWait = Objects.requireNonNullElse(schedulerWait, DEFAULT_SCHEDULER_WAIT);
        headers = Map.copyOf(Objects.requireNonNullElse(headers, Map.of()));
        if (connections < 0) {
            throw new IllegalArgumentException("sandbox.demo.connections must be zero or positive, was " + connections);
        }
        if (schedulerWait.isNegative()) {
            throw new IllegalArgumentException(
                    "sandbox.demo.scheduler-wait must be zero or positive, was " + schedulerWait);
        }
        if (connections > 0) {
            requireHttpUrl(registerUrl);
            if (provider.isBlank()) {
                throw new IllegalArgumentException("sandbox.demo.provider must not be blank");
            }
            headers.forEach(DemoProperties::requireAllowedHeader);
        }
    }

    /** The demo switched off, as when nothing is configured. */
    static DemoProperties off() {
        return new DemoProperties(DEFAULT_CONNECTIONS, null, null, null, null, null);
    }

    boolean enabled() {
        return connections > 0;
    }

    private static void requireHttpUrl(URI registerUrl) {
        if (registerUrl == null) {
            throw new IllegalArgumentException("sandbox.demo.register-url is required when sandbox.demo.connections is"
                    + " above 0: the scheduler's registration endpoint, e.g. http://127.0.0.1:8080/api/connections");
        }
        if (!registerUrl.isAbsolute() || registerUrl.getHost() == null
                || !("http".equalsIgnoreCase(registerUrl.getScheme())
                        || "https".equalsIgnoreCase(registerUrl.getScheme()))) {
            throw new IllegalArgumentException(
                    "sandbox.demo.register-url must be an absolute http or https URL, was " + registerUrl);
        }
    }

    // Checked here so that a header the HTTP client refuses (Host, Content-Length, ...) stops the start-up, rather
    // than the background registration later on.
    private static void requireAllowedHeader(String name, String value) {
        try {
            HttpRequest.newBuilder().header(name, value);
        } catch (IllegalArgumentException e) {
            // the message names the header only: its value may be a secret
            throw new IllegalArgumentException("sandbox.demo.headers." + name + " cannot be sent: it is not a valid"
                    + " header, or one the HTTP client sets itself");
        }
    }

    /** Leaves out the header values, which may be secrets such as an API key. */
    @Override
    public String toString() {
        return "DemoProperties[connections=" + connections + ", registerUrl=" + registerUrl + ", provider=" + provider
                + ", tenantPrefix=" + tenantPrefix + ", schedulerWait=" + schedulerWait + ", headers="
                + headers.keySet() + "]";
    }
}
