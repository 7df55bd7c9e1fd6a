package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.FaultKind;
import java.util.Map;

/** Token requests answered by an injected fault, by kind, as {@code faultsInjected} of {@code GET /sandbox/stats}. */
record FaultCounts(long error, long rateLimited, long hang, long outage, long invalidClient) {

    static final FaultCounts NONE = new FaultCounts(0, 0, 0, 0, 0);

    static FaultCounts of(Map<FaultKind, Long> counts) {
        return new FaultCounts(counts.getOrDefault(FaultKind.ERROR, 0L),
                counts.getOrDefault(FaultKind.RATE_LIMITED, 0L), counts.getOrDefault(FaultKind.HANG, 0L),
                counts.getOrDefault(FaultKind.OUTAGE, 0L), counts.getOrDefault(FaultKind.INVALID_CLIENT, 0L));
    }
}
