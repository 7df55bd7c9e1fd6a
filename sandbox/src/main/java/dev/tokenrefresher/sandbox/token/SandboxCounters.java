package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.authorize.AuthorizationCodes;
import dev.tokenrefresher.sandbox.faults.AfterRotationFault;
import dev.tokenrefresher.sandbox.faults.FaultKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * The counters of the token and revocation endpoints that belong to no one connection, and the totals of
 * {@code GET /sandbox/stats}, which add every connection's own counters to them.
 */
@Component
class SandboxCounters {

    private final ConnectionRegistry connections;
    private final AuthorizationCodes codes;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong unknownTokenGrants = new AtomicLong();
    private final AtomicLong invalidClientAnswers = new AtomicLong();
    /**
     * Granted refreshes, the sum of every connection's count kept as it grows: a load test polls it several times a
     * second, and {@link #stats()} walks every connection to add them up (a fifth of this app's CPU when it was polled).
     */
    private final LongAdder refreshesGranted = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<FaultKind, AtomicLong> faultsInjected = new EnumMap<>(FaultKind.class);
    private final Map<AfterRotationFault.Kind, AtomicLong> faultsAfterRotation = new EnumMap<>(
            AfterRotationFault.Kind.class);
    private final Map<Integer, AtomicLong> requestsByStatus = new ConcurrentHashMap<>();

    SandboxCounters(ConnectionRegistry connections, AuthorizationCodes codes) {
        this.connections = connections;
        this.codes = codes;
        // filled once, so the maps themselves are only ever read
        for (FaultKind kind : FaultKind.values()) {
            faultsInjected.put(kind, new AtomicLong());
        }
        for (AfterRotationFault.Kind kind : AfterRotationFault.Kind.values()) {
            faultsAfterRotation.put(kind, new AtomicLong());
        }
    }

    /** A token request came in: it counts, and is in flight until {@link #requestFinished()}. */
    void requestStarted() {
        requests.incrementAndGet();
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** A token request was answered with this HTTP status. */
    void answered(int status) {
        requestsByStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    void faultInjected(FaultKind kind) {
        faultsInjected.get(kind).incrementAndGet();
    }

    /** A granted refresh whose answer a fault after the rotation loses. */
    void answerLostAfterRotation(AfterRotationFault.Kind kind) {
        faultsAfterRotation.get(kind).incrementAndGet();
    }

    void refreshGranted() {
        refreshesGranted.increment();
    }

    /** An invalid_grant for a refresh token the sandbox never issued (or forgot in a reset). */
    void unknownTokenGrant() {
        unknownTokenGrants.incrementAndGet();
    }

    /** A 401 invalid_client for missing or wrong client credentials, not an injected one. */
    void invalidClientAnswer() {
        invalidClientAnswers.incrementAndGet();
    }

    /** Granted refreshes since the start or the last reset: what {@link #stats()} counts, without its walk. */
    long refreshes() {
        return refreshesGranted.sum();
    }

    SandboxStats stats() {
        long refreshes = 0;
        long overlapping = 0;
        long connectionInvalidGrants = 0;
        long afterAccessExpiry = 0;
        long hardExpired = 0;
        int connectionCount = 0;
        for (Connection connection : connections.all()) {
            connectionCount++;
            refreshes += connection.refreshes();
            overlapping += connection.overlappingRefreshes();
            connectionInvalidGrants += connection.invalidGrants();
            afterAccessExpiry += connection.refreshesAfterAccessExpiry();
            hardExpired += connection.hardExpiredGrants();
        }
        long unknown = unknownTokenGrants.get();
        Map<FaultKind, Long> faultCounts = new EnumMap<>(FaultKind.class);
        faultsInjected.forEach((kind, count) -> faultCounts.put(kind, count.get()));
        Map<AfterRotationFault.Kind, Long> afterRotationCounts = new EnumMap<>(AfterRotationFault.Kind.class);
        faultsAfterRotation.forEach((kind, count) -> afterRotationCounts.put(kind, count.get()));
        TreeMap<Integer, Long> byStatus = new TreeMap<>();
        requestsByStatus.forEach((status, count) -> byStatus.put(status, count.get()));
        return new SandboxStats(connectionCount, requests.get(), refreshes, overlapping, connectionInvalidGrants
                + unknown, unknown, hardExpired, afterAccessExpiry, invalidClientAnswers.get(), inFlight.get(),
                FaultCounts.of(faultCounts), AfterRotationCounts.of(afterRotationCounts),
                Collections.unmodifiableSortedMap(byStatus), codes.counts());
    }

    /**
     * Sets every counter back to zero. The in-flight gauge is kept: requests still running will count themselves out
     * of it.
     */
    void reset() {
        requests.set(0);
        refreshesGranted.reset();
        unknownTokenGrants.set(0);
        invalidClientAnswers.set(0);
        faultsInjected.values().forEach(count -> count.set(0));
        faultsAfterRotation.values().forEach(count -> count.set(0));
        requestsByStatus.clear();
    }
}
