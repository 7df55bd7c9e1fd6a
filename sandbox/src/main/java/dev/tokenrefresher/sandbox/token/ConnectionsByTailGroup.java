package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.TailCensus;
import dev.tokenrefresher.sandbox.faults.TailFaults;
import dev.tokenrefresher.sandbox.faults.TailGroup;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Adds up every connection's counters by the tail group it is in now; walks every connection, so not for polling. */
@Component
class ConnectionsByTailGroup implements TailCensus {

    private final ConnectionRegistry connections;
    private final TailFaults tail;

    ConnectionsByTailGroup(ConnectionRegistry connections, TailFaults tail) {
        this.connections = connections;
        this.tail = tail;
    }

    @Override
    public Map<TailGroup, Count> count() {
        Map<TailGroup, Sum> sums = new EnumMap<>(TailGroup.class);
        for (TailGroup group : TailGroup.values()) {
            sums.put(group, new Sum(group != TailGroup.OTHER));
        }
        for (Connection connection : connections.all()) {
            sums.get(tail.groupOf(connection.number())).add(connection);
        }
        Map<TailGroup, Count> counts = new EnumMap<>(TailGroup.class);
        sums.forEach((group, sum) -> counts.put(group, sum.count()));
        return counts;
    }

    /** One group's running totals. */
    private static final class Sum {

        private final List<String> realmIds;
        private long connections;
        private long calls;
        private long hungCalls;
        private long slowCalls;
        private long refreshes;
        private long afterAccessExpiry;
        private long overlapping;
        private long invalidGrants;

        Sum(boolean listRealms) {
            realmIds = listRealms ? new ArrayList<>() : null;
        }

        void add(Connection connection) {
            connections++;
            calls += connection.calls();
            hungCalls += connection.hungCalls();
            slowCalls += connection.slowCalls();
            refreshes += connection.refreshes();
            afterAccessExpiry += connection.refreshesAfterAccessExpiry();
            overlapping += connection.overlappingRefreshes();
            invalidGrants += connection.invalidGrants();
            if (realmIds != null) {
                realmIds.add(connection.realmId());
            }
        }

        Count count() {
            return new Count(connections, calls, hungCalls, slowCalls, refreshes, afterAccessExpiry, overlapping,
                    invalidGrants, realmIds == null ? null : List.copyOf(realmIds));
        }
    }
}
