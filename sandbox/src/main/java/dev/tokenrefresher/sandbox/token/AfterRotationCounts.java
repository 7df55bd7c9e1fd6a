package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.AfterRotationFault.Kind;
import java.util.Map;

/**
 * Granted refreshes whose answer was lost after the rotation, by kind, as {@code faultsAfterRotation} of
 * {@code GET /sandbox/stats}.
 */
record AfterRotationCounts(long reset, long serverError, long truncated, long stall) {

    static final AfterRotationCounts NONE = new AfterRotationCounts(0, 0, 0, 0);

    static AfterRotationCounts of(Map<Kind, Long> counts) {
        return new AfterRotationCounts(counts.getOrDefault(Kind.RESET, 0L), counts.getOrDefault(Kind.SERVER_ERROR,
                0L), counts.getOrDefault(Kind.TRUNCATED, 0L), counts.getOrDefault(Kind.STALL, 0L));
    }
}
