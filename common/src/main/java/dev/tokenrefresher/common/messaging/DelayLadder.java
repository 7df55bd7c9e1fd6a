package dev.tokenrefresher.common.messaging;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * Delayed delivery without broker plugins: a binary ladder of queues with one TTL each.
 *
 * <p>Level k is a topic exchange and a quorum queue whose messages expire after 2^k seconds into level k-1's exchange
 * (level 0's into the delivery exchange). A routing key is the delay's {@value #DIGITS} binary digits, most significant
 * first, dot-separated, followed by the destination's routing key. Level k's queue binds the pattern with {@code 1} at
 * bit k, and level k-1's exchange binds the same pattern with {@code 0}; so a message waits in exactly the levels of
 * its delay's set bits, from the highest down, and arrives after the sum of their TTLs, the delay. Every level queue
 * has a single TTL, so expiry is FIFO: a short delay never waits behind a long one.
 */
public final class DelayLadder {

    /** Digits in a routing key, and levels in the ladder. */
    public static final int DIGITS = 28;
    /** The longest delay the ladder itself can express, about 8.5 years. */
    public static final long MAX_DELAY_SECONDS = (1L << DIGITS) - 1;

    private DelayLadder() {
    }

    /**
     * Whole seconds to wait, rounded down, capped at the ladder's maximum. A message arrives up to a second before it
     * is due, and workers take it at once ({@code refresher.worker.early-tolerance}, 1 s). Rounding up made every
     * refresh late by the fraction of a second its publish came after the due time's second: in the steady state that
     * fraction is the refresh's own duration, so each chain was late by it, cycle after cycle (docs/benchmarks.md).
     */
    public static long delaySeconds(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            return 0;
        }
        return Math.min(delay.getSeconds(), MAX_DELAY_SECONDS);
    }

    /**
     * The delay with its lowest binary digits cleared, as many as cost no more than {@code maxEarlyFraction} of it: the
     * message arrives that much early and skips the level of every set digit cleared. Each level is a dead-letter
     * transfer between quorum queues (about 0.3 ms of broker CPU here), and a 50-minute delay has 7 digits set
     * (3000 s = 0b1011_1011_1000); with 1/16 it becomes 2816 s, 3 levels, due 3 minutes early. Delays under 16 s stay
     * as they are with 1/16, so retries and pauses keep their time.
     *
     * @param delaySeconds a delay within the ladder
     * @param maxEarlyFraction how much of the delay may be cut, from 0 (nothing) to less than 1/2
     */
    public static long coarsen(long delaySeconds, double maxEarlyFraction) {
        requireInRange(delaySeconds);
        if (!(maxEarlyFraction >= 0 && maxEarlyFraction < 0.5)) {
            throw new IllegalArgumentException("early fraction " + maxEarlyFraction + " is outside [0, 0.5)");
        }
        double allowed = delaySeconds * maxEarlyFraction;
        long kept = delaySeconds;
        // Clearing one more digit never cuts less than the digits below it did, so stop at the first that costs too much.
        for (int digits = 1; digits < DIGITS; digits++) {
            long cut = delaySeconds & ((1L << digits) - 1);
            if (cut > allowed) {
                break;
            }
            kept = delaySeconds - cut;
        }
        return kept;
    }

    /** The routing key for a delay and a destination, e.g. {@code 0.0.(...).1.0.1.refresh.quickbooks} for 5 s. */
    public static String routingKey(long delaySeconds, String destination) {
        requireInRange(delaySeconds);
        StringJoiner key = new StringJoiner(".");
        for (int bit = DIGITS - 1; bit >= 0; bit--) {
            key.add(((delaySeconds >>> bit) & 1) == 1 ? "1" : "0");
        }
        return key + "." + destination;
    }

    /**
     * The level whose exchange a message with this delay is published to: its highest set bit; -1 for no delay, which
     * goes straight to the delivery exchange.
     */
    public static int firstLevel(long delaySeconds) {
        requireInRange(delaySeconds);
        return 63 - Long.numberOfLeadingZeros(delaySeconds);
    }

    /** The binding pattern with {@code digit} at bit {@code level} and wildcards elsewhere in the delay part. */
    static String pattern(int level, char digit) {
        StringJoiner key = new StringJoiner(".");
        for (int bit = DIGITS - 1; bit >= 0; bit--) {
            key.add(bit == level ? String.valueOf(digit) : "*");
        }
        return key + ".#";
    }

    /** The delivery exchange's pattern for a destination: any delay digits, then exactly the destination. */
    static String deliveryPattern(String destination) {
        return "*.".repeat(DIGITS) + destination;
    }

    /** The TTL of level k's queue in milliseconds. */
    static long ttlMillis(int level) {
        return (1L << level) * 1000L;
    }

    private static void requireInRange(long delaySeconds) {
        if (delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delay " + delaySeconds + " s is outside 0.." + MAX_DELAY_SECONDS);
        }
    }
}
