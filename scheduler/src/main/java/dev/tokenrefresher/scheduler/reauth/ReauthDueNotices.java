package dev.tokenrefresher.scheduler.reauth;

import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.scheduler.periodic.PeriodicJob;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Warns host apps ahead of a refresh token's death (issue 22): every {@code check-interval}, a
 * {@code connection.reauth_due} event for each ACTIVE connection whose refresh token dies (the earlier of its expiry
 * and its hard cap, Intuit's 5 years) within one of {@code warn-days}, once per threshold; and the gauge of how many are
 * due within each. A connection that reaches its cap anyway is ended by its next claim ({@code hard_expired}), without
 * a provider call.
 *
 * <p>An event is published after its warning committed: a scheduler that dies in between loses that warning (the next
 * threshold still comes), never sends one twice.
 */
@Component
class ReauthDueNotices extends PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(ReauthDueNotices.class);
    /** Warnings claimed per statement. */
    static final int BATCH = 500;
    /** The first check comes soon after a start: a restarted scheduler does not skip one. */
    private static final Duration FIRST_CHECK_AFTER = Duration.ofSeconds(30);

    private final ReauthWarnings warnings;
    private final ConnectionEventPublisher events;
    private final ReauthProperties properties;
    private final Clock clock;
    private final Map<Integer, Double> dueWithin = new ConcurrentHashMap<>();

    ReauthDueNotices(ReauthWarnings warnings, ConnectionEventPublisher events, ReauthProperties properties,
            MeterRegistry meters, Clock clock) {
        super("reauth-due", properties.warnings(), FIRST_CHECK_AFTER, properties
                .checkInterval());
        this.warnings = warnings;
        this.events = events;
        this.properties = properties;
        this.clock = clock;
        for (int days : properties.warnDays()) {
            dueWithin.put(days, Double.NaN);
            Gauge.builder("refresher.connections.reauth_due", dueWithin, counts -> counts.get(days))
                    .description("ACTIVE connections whose refresh token dies (its expiry or hard cap) within the "
                            + "given number of days; NaN before the first check")
                    .tag("within_days", String.valueOf(days))
                    .register(meters);
        }
    }

    /** One check: forget passed warnings, warn per threshold from the nearest, count. */
    void check() {
        int forgotten = warnings.forgetPassed();
        int sent = 0;
        // nearest first: a connection 5 days from its end gets the 7-day warning only, not the 30-day one too
        for (int days : properties.warnDays()) {
            List<ReauthWarnings.Due> due;
            do {
                due = warnings.claim(days, BATCH);
                Instant now = clock.instant();
                for (ReauthWarnings.Due connection : due) {
                    events.publish(ConnectionEvent.reauthDue(connection.connectionId(), connection.tenantId(),
                            connection.provider(), connection.hardCapFirst() ? "hard_expiry" : "refresh_token_expiry",
                            connection.diesAt(), days, now));
                }
                sent += due.size();
            } while (due.size() == BATCH);
            dueWithin.put(days, (double) warnings.countDueWithin(days));
        }
        if (sent > 0 || forgotten > 0) {
            log.info("reauth_due: {} warning(s) sent, {} forgotten (their refresh token lives longer now); due within "
                    + "{} days: {}", sent, forgotten, properties.warnDays(), dueWithin);
        }
    }

    @Override
    protected void runOnce() {
        try {
            check();
        } catch (DataAccessException | AmqpException e) {
            // PostgreSQL or RabbitMQ away: the warnings not yet claimed come with the next check
            log.warn("reauth_due check failed ({}); next in {}", e.getClass().getSimpleName(), properties
                    .checkInterval());
        }
    }

    @Override
    protected String disabledMessage() {
        return "reauth_due warnings are off on this scheduler (refresher.reauth.warnings=false)";
    }
}
