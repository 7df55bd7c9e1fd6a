package dev.tokenrefresher.worker.refresh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN line for refreshes that start more than {@code refresher.worker.late-warning} after their due time. A worker
 * that fell behind once showed it only in a metric nobody watched (38.7 s late on average, most tokens expired first),
 * so it says so in its log too, but rate-limited: a backlog of thousands is one line per provider per
 * {@link #INTERVAL}, counting the late starts since the line before and naming the worst.
 *
 * <p>Late starts that come within the interval are reported by the first start of that provider after it, late or
 * not: a provider that keeps refreshing never holds back a count for long.
 */
final class LateStartWarnings {

    /** At most one line per provider this often. */
    static final Duration INTERVAL = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(LateStartWarnings.class);

    private final Duration threshold;
    private final Clock clock;
    private final Instant startedAt;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    LateStartWarnings(Duration threshold, Clock clock) {
        this.threshold = threshold;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Counts a refresh of {@code provider} that started {@code lateness} after its due time, and logs a line if due. */
    void started(String provider, Duration lateness) {
        record(provider, lateness).ifPresent(line -> log.warn("{} refresh(es) of provider {} started more than {} "
                + "after their due time since {}, the worst {} late; the threshold is refresher.worker.late-warning "
                + "(docs/operations.md, \"Refreshes late\")", line.count(), provider, seconds(threshold), line.since(),
                seconds(line.worst())));
    }

    /** The line that this start completes, if one is due: the pure part of {@link #started}. */
    Optional<LateStarts> record(String provider, Duration lateness) {
        boolean late = lateness.compareTo(threshold) > 0;
        // most starts are on time and never create a tally; a provider with one may owe a line
        Tally tally = late ? tallies.computeIfAbsent(provider, p -> new Tally(startedAt)) : tallies.get(provider);
        return tally == null ? Optional.empty() : tally.add(late ? lateness : null, clock.instant());
    }

    /**
     * What one line reports.
     *
     * @param count late starts since {@code since}
     * @param worst the latest of them
     * @param since the previous line of this provider, or the worker's start
     */
    record LateStarts(int count, Duration worst, Instant since) {
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** The late starts of one provider since its last line. */
    private static final class Tally {

        private Instant since;
        private Instant nextLine = Instant.MIN;
        private int count;
        private Duration worst = Duration.ZERO;

        Tally(Instant since) {
            this.since = since;
        }

        /** {@code lateness} null: an on-time start, which only reports what is owed. */
        synchronized Optional<LateStarts> add(Duration lateness, Instant now) {
            if (lateness != null) {
                count++;
                worst = lateness.compareTo(worst) > 0 ? lateness : worst;
            }
            if (count == 0 || now.isBefore(nextLine)) {
                return Optional.empty();
            }
            LateStarts line = new LateStarts(count, worst, since);
            since = now;
            nextLine = now.plus(INTERVAL);
            count = 0;
            worst = Duration.ZERO;
            return Optional.of(line);
        }
    }
}
