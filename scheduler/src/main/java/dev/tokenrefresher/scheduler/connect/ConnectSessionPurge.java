package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.scheduler.periodic.PeriodicJob;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/** Deletes connect sessions that expired more than {@code refresher.connect.retention} ago, once an hour. */
@Component
class ConnectSessionPurge extends PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(ConnectSessionPurge.class);
    private static final Duration EVERY = Duration.ofHours(1);

    private final ConnectSessions sessions;
    private final Duration retention;
    private final Clock clock;

    ConnectSessionPurge(ConnectSessions sessions, ConnectProperties properties, Clock clock) {
        super("connect-session-purge", true, EVERY, EVERY);
        this.sessions = sessions;
        this.retention = properties.retention();
        this.clock = clock;
    }

    @Override
    protected void runOnce() {
        try {
            int deleted = sessions.purgeExpiredBefore(clock.instant().minus(retention));
            if (deleted > 0) {
                log.info("deleted {} connect session(s) that expired more than {} ago", deleted, retention);
            }
        } catch (DataAccessException e) {
            log.warn("connect sessions not purged ({}); next try in {}", e.getClass().getSimpleName(), EVERY);
        }
    }
}
