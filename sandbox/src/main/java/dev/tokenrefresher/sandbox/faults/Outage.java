package dev.tokenrefresher.sandbox.faults;

import java.time.Instant;

/** A window in which every token request fails with {@code status}; it ends at {@code endsAt}, by the clock. */
record Outage(int status, Instant endsAt) {

    boolean activeAt(Instant now) {
        return now.isBefore(endsAt);
    }
}
