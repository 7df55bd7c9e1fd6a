package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;

/**
 * Tail faults: a share of the connections whose calls hang, and another whose calls answer slowly, decided per call
 * from the connection's number (its place in the order of minting) and its call count, so the same connections and
 * the same calls are hit on every run, whatever the order in which requests arrive.
 *
 * <p>A connection's place in the unit interval is {@code frac((number + seed) x 0.618...)}, the golden-ratio sequence:
 * those below {@code hang.connectionShare} hang, the next {@code slow.connectionShare} are slow, the rest are
 * untouched. Of any run of consecutive numbers the sequence puts within one of the share's count in each group (of 160
 * connections, 20 have a place below 0.125), so a share means what it says even for a few connections.
 *
 * @param hang the connections whose calls hang; null for none
 * @param slow the connections whose calls answer slowly; null for none
 * @param seed moves every connection's place, and so which connections are chosen, and varies the slow calls' times
 */
record TailSpec(Hang hang, Slow slow, long seed) {

    static final TailSpec OFF = new TailSpec(null, null, 0);

    /** 1/phi: consecutive multiples of it spread over the unit interval as evenly as any sequence does. */
    private static final double GOLDEN = 0.6180339887498949;

    /**
     * @param connectionShare the share of connections, 0.0 to 1.0
     * @param everyCalls which of their calls hang: the first, then every {@code everyCalls}th (1 = every call, 2 = the
     *            first of each pair: a client that retries once at once gets every refresh through, late)
     * @param millis how long a call is held before the 504, at most a day: the client's request timeout, so that it
     *            gives up first and never reads an answer
     */
    record Hang(double connectionShare, int everyCalls, long millis) {

        Hang {
            FaultLimits.rate("hang.connectionShare", connectionShare);
            atLeastOne("hang.everyCalls", everyCalls);
            FaultLimits.delayMillis("hang.millis", millis);
        }
    }

    /**
     * @param connectionShare the share of connections, 0.0 to 1.0
     * @param everyCalls which of their calls are slow: the first, then every {@code everyCalls}th (1 = every call)
     * @param minMillis the shortest time a slow call takes
     * @param maxMillis the longest; each slow call takes a time between the two, both included, uniformly
     */
    record Slow(double connectionShare, int everyCalls, long minMillis, long maxMillis) {

        Slow {
            FaultLimits.rate("slow.connectionShare", connectionShare);
            atLeastOne("slow.everyCalls", everyCalls);
            FaultLimits.delayMillis("slow.minMillis", minMillis);
            FaultLimits.delayMillis("slow.maxMillis", maxMillis);
            if (minMillis > maxMillis) {
                throw new InvalidFaultSetting("slow.minMillis must not exceed slow.maxMillis, was " + minMillis
                        + " > " + maxMillis);
            }
        }
    }

    TailSpec {
        double sum = share(hang) + share(slow);
        if (sum > 1.0 + 1e-9) {
            throw new InvalidFaultSetting("hang.connectionShare + slow.connectionShare must not exceed 1.0, was "
                    + sum);
        }
    }

    boolean off() {
        return share(hang) == 0 && share(slow) == 0;
    }

    /** The group of the connection with this number (1 for the first minted). */
    TailGroup groupOf(long connectionNumber) {
        double place = place(connectionNumber);
        if (place < share(hang)) {
            return TailGroup.HANG;
        }
        if (place < share(hang) + share(slow)) {
            return TailGroup.SLOW;
        }
        return TailGroup.OTHER;
    }

    /** What happens to the connection's {@code call}th call (1 for its first). */
    TailDecision decide(long connectionNumber, long call) {
        return switch (groupOf(connectionNumber)) {
            case HANG -> hits(call, hang.everyCalls())
                    ? new TailDecision.Hang(Duration.ofMillis(hang.millis()), InjectedFault.hang())
                    : TailDecision.UNAFFECTED;
            case SLOW -> hits(call, slow.everyCalls())
                    ? new TailDecision.Slow(Duration.ofMillis(slowMillis(connectionNumber, call)))
                    : TailDecision.UNAFFECTED;
            case OTHER -> TailDecision.UNAFFECTED;
        };
    }

    private double place(long connectionNumber) {
        double x = (connectionNumber + seed) * GOLDEN;
        return x - Math.floor(x);
    }

    private static boolean hits(long call, int everyCalls) {
        return (call - 1) % everyCalls == 0;
    }

    /** Uniform in [min, max] by a hash of the seed, the connection and the call: the same on every run. */
    private long slowMillis(long connectionNumber, long call) {
        long span = slow.maxMillis() - slow.minMillis() + 1;
        return slow.minMillis() + Math.floorMod(mix(seed * 0x9E3779B97F4A7C15L + connectionNumber * 0xBF58476D1CE4E5B9L
                + call), span);
    }

    /** SplitMix64's finaliser: neighbouring inputs give unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double share(Hang hang) {
        return hang == null ? 0 : hang.connectionShare();
    }

    private static double share(Slow slow) {
        return slow == null ? 0 : slow.connectionShare();
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new InvalidFaultSetting(name + " must be at least 1, was " + value);
        }
    }
}
