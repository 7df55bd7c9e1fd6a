package dev.tokenrefresher.sandbox.faults;

import java.util.List;

/**
 * The body of {@code PUT /sandbox/faults}: a partial change, where a missing or null field keeps its value. A seed
 * restarts the random draws from it, even when it is the one already in use.
 */
record FaultChange(Long latencyMaxMillis, Double errorRate, List<Integer> errorStatuses, Double rateLimitRate,
        Long retryAfterSeconds, Double hangRate, Long hangMillis, Boolean invalidClient, Long seed) {
}
