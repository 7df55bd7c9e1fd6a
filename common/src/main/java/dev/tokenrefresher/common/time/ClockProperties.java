package dev.tokenrefresher.common.time;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The app's clock, bound from {@code refresher.clock}.
 *
 * @param skew how far this app's clock is set off the machine's (default {@code 0}); for tests and for simulating
 *            hosts whose clocks disagree. App clocks only schedule (due times, next refreshes, token expiries as this
 *            app saw them); leases are set and compared with PostgreSQL's clock (DESIGN decision 11), so a skew here
 *            never lets two actors refresh one connection at once
 */
@ConfigurationProperties("refresher.clock")
public record ClockProperties(Duration skew) {

    public static final Duration DEFAULT_SKEW = Duration.ZERO;

    public ClockProperties {
        skew = skew == null ? DEFAULT_SKEW : skew;
    }
}
