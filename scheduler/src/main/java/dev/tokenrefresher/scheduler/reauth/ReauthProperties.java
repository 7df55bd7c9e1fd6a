package dev.tokenrefresher.scheduler.reauth;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Warnings ahead of a refresh token's death ({@code refresher.reauth.*}): {@code connection.reauth_due} events and the
 * {@code refresher_connections_reauth_due} gauge (docs/events.md, docs/metrics.md).
 *
 * @param warnings whether this scheduler checks (default true; several schedulers share the work: each warning is
 *            claimed by one)
 * @param warnDays how many days ahead of the earlier of the refresh token's expiry and its hard cap a warning goes out
 *            (default 30, 7 and 1): one event per threshold a connection crosses
 * @param checkInterval time between checks (default 1 hour)
 */
@ConfigurationProperties("refresher.reauth")
public record ReauthProperties(Boolean warnings, List<Integer> warnDays, Duration checkInterval) {

    public static final List<Integer> DEFAULT_WARN_DAYS = List.of(30, 7, 1);
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(1);

    public ReauthProperties {
        warnings = warnings == null || warnings;
        // nearest first, the order the checks need (ReauthDueNotices)
        warnDays = (warnDays == null || warnDays.isEmpty() ? DEFAULT_WARN_DAYS : warnDays).stream().distinct()
                .sorted().toList();
        checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
        if (warnDays.getFirst() < 1 || warnDays.getLast() > 3650) {
            throw new IllegalArgumentException("refresher.reauth.warn-days must be 1 to 3650 days, were " + warnDays);
        }
        if (!checkInterval.isPositive()) {
            throw new IllegalArgumentException("refresher.reauth.check-interval must be positive, was "
                    + checkInterval);
        }
    }
}
