package dev.tokenrefresher.scheduler.connect;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/** Deletes connect sessions that expired more than {@code refresher.connect.retention} ago, once an hour. */
@Component
class ConnectSessionPurge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectSessionPurge.class);
    private static final Duration EVERY = Duration.ofHours(1);

    private final ConnectSessions sessions;
    private final Duration retention;
    private final Clock clock;
    private ScheduledExecutorService executor;

    ConnectSessionPurge(ConnectSessions sessions, ConnectProperties properties, Clock clock) {
        this.sessions = sessions;
        this.retention = properties.retention();
        this.clock = clock;
    }

    void purge() {
        try {
            int deleted = sessions.purgeExpiredBefore(clock.instant().minus(retention));
            if (deleted > 0) {
                log.info("deleted {} connect session(s) that expired more than {} ago", deleted, retention);
            }
        } catch (DataAccessException e) {
            log.warn("connect sessions not purged ({}); next try in {}", e.getClass().getSimpleName(), EVERY);
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("connect-session-purge")
                .daemon().factory());
        executor.scheduleWithFixedDelay(this::purge, EVERY.toMinutes(), EVERY.toMinutes(), TimeUnit.MINUTES);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
