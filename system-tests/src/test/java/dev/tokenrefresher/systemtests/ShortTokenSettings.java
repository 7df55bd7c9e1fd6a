package dev.tokenrefresher.systemtests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings for runs with 8-second access tokens, scaled down from production's hour so that a test sees many cycles:
 * refresh 5 s before expiry, fast retries with short pauses, delayed retries after 1 s, and a lease that covers the
 * worst case between claim and store, which the worker checks at start-up: 3 calls of 2 s with no bulkhead or
 * rate-limiter wait, 2 pauses of 0.2 s, a store retried for 1 s after waiting at most 0.5 s in the group commit, a
 * hand-off confirmed within 0.1 s, and a second for the statements, 9 s. These runs do not exercise the rate limiter: its permits are plenty and a call
 * that finds none is paused at once rather than waiting with the claim held.
 *
 * <p>The request timeout stays generous: a request that times out may still have been answered by the provider, with a
 * rotated refresh token nobody will ever see, so a timeout must mean "the provider is unwell", never "the machine was
 * busy for half a second".
 */
final class ShortTokenSettings {

    static final List<String> SANDBOX = List.of("--sandbox.access-token-lifetime=8s", "--sandbox.rotate-every=1",
            "--sandbox.latency=10ms");

    private ShortTokenSettings() {
    }

    /**
     * No bulkhead or rate-limiter wait with a claim held (their permits are plenty), and a sweep every 2 s that
     * re-enqueues what is overdue by 5 s: for tests whose lease must cover the calls alone and whose chains the sweep
     * must pick up soon after a lease ended.
     */
    static Map<String, String> noGuardWaitsAndAQuickSweep() {
        Map<String, String> settings = new LinkedHashMap<>(noGuardWaits());
        settings.put("refresher.sweep.interval", "2s");
        settings.put("refresher.sweep.grace", "5s");
        return settings;
    }

    private static Map<String, String> noGuardWaits() {
        return Map.of("resilience4j.bulkhead.configs.default.max-wait-duration", "0s",
                "resilience4j.ratelimiter.configs.default.timeout-duration", "0s",
                "resilience4j.ratelimiter.configs.default.limit-for-period", "1000");
    }

    static Map<String, String> refresher() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("refresher.providers.quickbooks.refresh-lead-time", "5s");
        settings.put("refresher.providers.quickbooks.request-timeout", "2s");
        settings.put("refresher.worker.lease", "9s");
        settings.put("refresher.worker.store-retry-timeout", "1s");
        settings.put("refresher.handoff.confirm-timeout", "100ms");
        settings.put("refresher.worker.statement-max-wait", "500ms");
        settings.putAll(noGuardWaits());
        settings.put("refresher.worker.fast-retries", "3");
        settings.put("refresher.worker.fast-retry-backoff", "50ms");
        settings.put("refresher.worker.fast-retry-max-backoff", "200ms");
        settings.put("refresher.worker.retry-initial-delay", "1s");
        // The sandbox goes on with a request past the 2-s timeout only as long as a test holds it (ChaosIT: 0.5 s past
        // its 3-s timeout); the default 30 s would leave a timed-out refresh's retry far behind its 8-s token.
        settings.put("refresher.providers.quickbooks.timeout-quiet-period", "2s");
        settings.put("refresher.worker.retry-max-delay", "2s");
        settings.put("refresher.worker.paused-delay", "1s");
        settings.put("resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state", "5s");
        // The sweep is the safety net for a chain whose message went missing. On RabbitMQ 3.10 a ladder level was seen
        // to stop dead-lettering for tens of seconds (docs/architecture.md, known limits); at token lives of seconds
        // the net has to be as fine.
        settings.put("refresher.sweep.interval", "2s");
        settings.put("refresher.sweep.grace", "6s");
        return settings;
    }
}
