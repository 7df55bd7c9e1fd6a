package dev.tokenrefresher.bench;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The sandbox's counts per tail group ({@code GET /sandbox/faults/tail}): the connections it hangs, those it slows
 * down, and the others, each with what they went through since they were minted.
 */
record TailGroups(Group hang, Group slow, Group other) {

    /**
     * @param realmIds the group's connections; empty for the others
     */
    record Group(long connections, long calls, long hungCalls, long slowCalls, long refreshes, long afterExpiry,
            long overlapping, long invalidGrants, Set<String> realmIds) {

        static Group of(JsonNode group) {
            Set<String> realmIds = new HashSet<>();
            JsonNode ids = group.get("realmIds");
            if (ids != null && ids.isArray()) {
                ids.forEach(id -> realmIds.add(id.asString()));
            }
            return new Group(group.get("connections").asLong(), group.get("calls").asLong(), group.get("hungCalls")
                    .asLong(), group.get("slowCalls").asLong(), group.get("refreshes").asLong(),
                    group.get(
                            "refreshesAfterAccessExpiry").asLong(),
                    group.get("overlappingRefreshes").asLong(),
                    group.get("invalidGrants").asLong(), Set.copyOf(realmIds));
        }

        /** What happened between {@code earlier} and this; the connections and realm ids are this one's. */
        Group minus(Group earlier) {
            return new Group(connections, calls - earlier.calls, hungCalls - earlier.hungCalls, slowCalls
                    - earlier.slowCalls, refreshes - earlier.refreshes, afterExpiry - earlier.afterExpiry,
                    overlapping
                            - earlier.overlapping,
                    invalidGrants - earlier.invalidGrants, realmIds);
        }

        Group plus(Group other) {
            Set<String> both = new HashSet<>(realmIds);
            both.addAll(other.realmIds);
            return new Group(connections + other.connections, calls + other.calls, hungCalls + other.hungCalls,
                    slowCalls + other.slowCalls, refreshes + other.refreshes, afterExpiry + other.afterExpiry,
                    overlapping + other.overlapping, invalidGrants + other.invalidGrants, Set.copyOf(both));
        }
    }

    static TailGroups of(JsonNode view) {
        JsonNode groups = view.get("groups");
        return new TailGroups(Group.of(groups.get("hang")), Group.of(groups.get("slow")), Group.of(groups.get(
                "other")));
    }

    TailGroups minus(TailGroups earlier) {
        return new TailGroups(hang.minus(earlier.hang), slow.minus(earlier.slow), other.minus(earlier.other));
    }

    /** The hanging and the slow connections together: those whose own calls the tail delays. */
    Group delayed() {
        return hang.plus(slow);
    }

    Group all() {
        return delayed().plus(other);
    }

    /** Counted by group name, for the log. */
    Map<String, Long> connections() {
        return Map.of("hang", hang.connections, "slow", slow.connections, "other", other.connections);
    }
}
