package dev.tokenrefresher.sandbox.faults;

import java.util.List;
import java.util.Map;

/**
 * What the connections of each tail group went through, as the token authority counted it: the tail's control API
 * shows it, so that a test can tell the slow connections' refreshes from the others'.
 */
public interface TailCensus {

    /** Every group, {@link TailGroup#OTHER} included, even when empty. */
    Map<TailGroup, Count> count();

    /**
     * One group's totals since the connections were minted (or the last reset).
     *
     * @param calls token requests for its connections, hung and slow ones included
     * @param refreshesAfterAccessExpiry granted refreshes that came after the access token had expired
     * @param realmIds the group's connections; null for {@link TailGroup#OTHER}, which is most of them
     */
    record Count(long connections, long calls, long hungCalls, long slowCalls, long refreshes,
            long refreshesAfterAccessExpiry, long overlappingRefreshes, long invalidGrants, List<String> realmIds) {
    }
}
