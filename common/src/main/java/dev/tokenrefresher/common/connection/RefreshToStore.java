package dev.tokenrefresher.common.connection;

import java.time.Instant;

/**
 * One refresh's result, to be stored with the next refresh scheduled at {@code nextRefreshAt}; see
 * {@link RefreshOutcomes#storeAllRefreshed}.
 */
public record RefreshToStore(Claim claim, RefreshedTokens tokens, Instant nextRefreshAt, Instant now,
        AttemptRecord attempt) {

    @Override
    public String toString() {
        // the tokens stay out of any log line
        return "RefreshToStore[connectionId=" + claim.connectionId() + ", fence=" + claim.fence() + ", nextRefreshAt="
                + nextRefreshAt + "]";
    }
}
