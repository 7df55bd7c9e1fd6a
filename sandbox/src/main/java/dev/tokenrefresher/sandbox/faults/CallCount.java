package dev.tokenrefresher.sandbox.faults;

/**
 * A connection's calls counted since the tail faults in force were set, so that "the first call, then every Nth" means
 * the first after they were switched on, whatever the connection did before.
 */
@FunctionalInterface
public interface CallCount {

    /**
     * Counts this call and says its number among the connection's calls since the tail faults were set for the
     * {@code setting}th time; 1 for the first.
     */
    long callSince(long setting);
}
